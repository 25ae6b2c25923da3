package datasets

import (
	"strings"
	"testing"
)

// TestCheckThrift feeds checkThrift hand-assembled compact-protocol
// structs (field header byte = id delta << 4 | type; list header = size
// << 4 | element type, size 15 meaning a varint follows; Thrift's
// compact-protocol specification).
func TestCheckThrift(t *testing.T) {
	deep := strings.Repeat("\x1c", 40) + strings.Repeat("\x00", 41) // 40 nested structs
	tests := []struct {
		name, in, err string
	}{
		{"empty struct", "\x00", ""},
		{"scalars", "\x15\x02\x16\x04\x17" + "12345678" + "\x11\x12\x13\x7f\x00", ""},
		{"binary", "\x18\x03abc\x00", ""},
		{"short list", "\x19\x35\x02\x04\x06\x00", ""},
		{"bool list", "\x19\x21\x01\x02\x00", ""},
		{"long list", "\x19\xf5\x10" + strings.Repeat("\x02", 16) + "\x00", ""},
		{"map", "\x1b\x02\x85\x01a\x02\x01b\x04\x00", ""},
		{"long field id", "\x05\x10\x02\x00", ""},
		// A list claiming 500,000,000 elements in a few bytes: parquet-go
		// would allocate them all before failing.
		{"list bomb", "\x19\xfc\x80\xca\xb5\xee\x01\x00", "list of 500000000 elements in 1 bytes"},
		{"binary bomb", "\x18\xff\xff\xff\xff\x07\x00", "binary of 2147483647 elements in 1 bytes"},
		{"map bomb", "\x1b\xff\xff\xff\xff\x07\x85\x00", "map of 2147483647 elements in 2 bytes"},
		{"truncated", "\x15", "unexpected end"},
		{"truncated double", "\x17" + "1234", "unexpected end"},
		{"long varint", "\x15" + strings.Repeat("\xff", 11), "varint too long"},
		{"unknown type", "\x1d\x00", "unknown type 13"},
		{"too deep", deep, "nested too deeply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkThrift([]byte(tt.in))
			switch {
			case tt.err == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
				t.Errorf("error %v, want one saying %q", err, tt.err)
			}
		})
	}
}
