package tableinit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzSuggest: any bytes as a table give a suggestion or an error, never
// a panic, and a suggestion names the label and every column it read.
func FuzzSuggest(f *testing.F) {
	f.Add([]byte("a,b,label\n1,x,normal\n2,y,attack\n"), "")
	f.Add([]byte(" Flow ID, Flow Bytes/s, Label\n1,Infinity,BENIGN\n2,NaN,DDoS\n2,NaN,DDoS\n"), "")
	f.Add([]byte("x\n1\n"), "x")
	f.Add([]byte("ts,b,label\n1499072158,1,normal\n1499072218,2,attack\n1499072278,3,normal\n1499072338,4,attack\n"), "")
	f.Add([]byte("Timestamp,b,Label\n03/07/2017 08:55,1,BENIGN\n13/07/2017 08:56,2,DDoS\n,3,BENIGN\n"), "")
	f.Add([]byte("\ufeffa,\"b\nc\",Label\n\"1,5\",2,z\n"), "Label")
	f.Fuzz(func(t *testing.T, data []byte, label string) {
		path := filepath.Join(t.TempDir(), "t.csv")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		text, err := Suggest([]string{path}, Options{Label: label, Dir: filepath.Dir(path)})
		if err != nil {
			return
		}
		if !strings.Contains(text, "    label: ") || !strings.Contains(text, `files: ["t.csv"]`) {
			t.Fatalf("a suggestion without its label or file:\n%s", text)
		}
	})
}
