package external

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/segharness/harness/internal/fileio"
)

// writeMatrix writes rows × cols float64 values, row-major, as a C-order
// .npy file of shape (rows, cols).
func writeMatrix(path string, x []float64, rows, cols int) error {
	return writeFile(path, func(w io.Writer) error {
		if err := writeNPYHeader(w, "<f8", fmt.Sprintf("(%d, %d)", rows, cols)); err != nil {
			return err
		}
		return writeWords(w, len(x), func(i int) uint64 { return math.Float64bits(x[i]) })
	})
}

// writeInts writes a 1-D int64 .npy file.
func writeInts(path string, v []int64) error {
	return writeFile(path, func(w io.Writer) error {
		if err := writeNPYHeader(w, "<i8", fmt.Sprintf("(%d,)", len(v))); err != nil {
			return err
		}
		return writeWords(w, len(v), func(i int) uint64 { return uint64(v[i]) })
	})
}

// writeNPYHeader writes a version 1.0 .npy header (NEP 1) as numpy does:
// the dictionary padded with spaces so that the data starts at a multiple
// of 64 bytes, ending with a newline.
func writeNPYHeader(w io.Writer, descr, shape string) error {
	dict := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	pad := 63 - (10+len(dict))%64 // the newline takes the last byte
	h := make([]byte, 0, 10+len(dict)+pad+1)
	h = append(h, npyMagic...)
	h = append(h, 1, 0)
	h = binary.LittleEndian.AppendUint16(h, uint16(len(dict)+pad+1))
	h = append(h, dict...)
	h = append(h, bytes.Repeat([]byte{' '}, pad)...)
	h = append(h, '\n')
	_, err := w.Write(h)
	return err
}

// writeWords writes n little-endian 64-bit words in blocks.
func writeWords(w io.Writer, n int, word func(i int) uint64) error {
	buf := make([]byte, 0, 8192)
	for i := range n {
		buf = binary.LittleEndian.AppendUint64(buf, word(i))
		if len(buf) == cap(buf) {
			if _, err := w.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	_, err := w.Write(buf)
	return err
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := write(bw); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return f.Close()
}

// The .npy format (NEP 1, https://numpy.org/neps/nep-0001-npy-format.html)
// is read and written here rather than with codeberg.org/sbinet/npyio, the
// Go library for it, which the tests use as an independent writer and
// reader. An answer is untrusted input, and npyio's reader panics on a
// malformed header (a header without a newline, say), allocates what the
// header claims, and unpickles object arrays; its writer discovers each
// element's type by reflection, which made handing over 100,000 rows three
// times slower (BenchmarkHandOver100k). This reader accepts the numeric
// arrays of versions 1.0 to 3.0 and nothing else, and checks the header
// against the file's size before it allocates; the writer writes what
// numpy writes.

// npyMagic begins every .npy file.
const npyMagic = "\x93NUMPY"

// maxHeader bounds an answer's header: numpy writes about 128 bytes.
const maxHeader = 1 << 16

var (
	npyDescr = regexp.MustCompile(`'descr'\s*:\s*'([<>|=])([biuf])(\d+)'`)
	npyOrder = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	npyShape = regexp.MustCompile(`'shape'\s*:\s*\(\s*([0-9]+)\s*(?:,\s*(?:([0-9]+)\s*,?\s*)?)?\)`)
	// npyHeader is the whole dictionary: its three keys, in any order.
	npyHeader = regexp.MustCompile(`^\{\s*(?:'(?:descr|fortran_order|shape)'\s*:\s*(?:'[^']*'|True|False|\([0-9,\s]*\))\s*,?\s*){3}\}\s*$`)
)

// npyArray is a decoded numeric array: its values as float64 and its
// shape (one or two dimensions).
type npyArray struct {
	values []float64
	rows   int
	cols   int // 1 for a 1-D array
	kind   byte
}

// readNPY reads the numeric .npy file at path, which must hold rows rows
// of cols columns (cols 1: a 1-D array, or a 2-D array of one column). It
// refuses anything that is not a regular file of exactly the size its
// header explains.
func readNPY(path string, rows, cols int) (*npyArray, error) {
	st, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file (%s)", st.Mode().Type())
	}
	limit := int64(maxHeader) + 12 + int64(rows)*int64(cols)*8
	if st.Size() > limit {
		return nil, fmt.Errorf("%d bytes, more than %d rows of %d values can take", st.Size(), rows, cols)
	}
	f, info, err := fileio.Open(path) // again: the program may have swapped it for a FIFO
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info.Size() > limit {
		return nil, fmt.Errorf("%d bytes, more than %d rows of %d values can take", info.Size(), rows, cols)
	}
	body, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	return decodeNPY(body, rows, cols)
}

// decodeNPY decodes a .npy file's bytes (see readNPY).
func decodeNPY(body []byte, rows, cols int) (*npyArray, error) {
	if len(body) < 10 || string(body[:6]) != npyMagic {
		return nil, errors.New("not a .npy file (no \\x93NUMPY magic string)")
	}
	major := body[6]
	var hlen, start int
	switch major {
	case 1:
		hlen, start = int(binary.LittleEndian.Uint16(body[8:10])), 10
	case 2, 3:
		if len(body) < 12 {
			return nil, errors.New("not a .npy file: truncated preamble")
		}
		hlen, start = int(binary.LittleEndian.Uint32(body[8:12])), 12
	default:
		return nil, fmt.Errorf(".npy format version %d.%d; this reader takes 1.0 to 3.0", major, body[7])
	}
	if hlen > maxHeader || start+hlen > len(body) {
		return nil, fmt.Errorf(".npy header of %d bytes in a file of %d", hlen, len(body))
	}
	header := strings.TrimRight(string(body[start:start+hlen]), " \n\x00")
	if !npyHeader.MatchString(header) {
		return nil, fmt.Errorf("malformed .npy header %q", truncate(header))
	}
	d := npyDescr.FindStringSubmatch(header)
	o := npyOrder.FindStringSubmatch(header)
	s := npyShape.FindStringSubmatch(header)
	if d == nil || o == nil || s == nil {
		return nil, fmt.Errorf("the .npy header %q is not that of a numeric array of one or two dimensions (descr like '<f8', fortran_order, shape)", truncate(header))
	}
	order, kind := d[1], d[2][0]
	size, _ := strconv.Atoi(d[3])
	switch {
	case kind == 'b' && size != 1, kind == 'f' && size != 2 && size != 4 && size != 8,
		(kind == 'i' || kind == 'u') && size != 1 && size != 2 && size != 4 && size != 8:
		return nil, fmt.Errorf("unsupported dtype %s%c%d: want bool, integers of 1 to 8 bytes or float16, float32, float64", order, kind, size)
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if order == ">" && size > 1 {
		bo = binary.BigEndian
	}
	n, err := strconv.Atoi(s[1])
	if err != nil || n > math.MaxInt32 {
		return nil, fmt.Errorf("shape %s out of range", s[1])
	}
	k := 1
	twoD := s[2] != ""
	if twoD {
		if k, err = strconv.Atoi(s[2]); err != nil || k > math.MaxInt32 {
			return nil, fmt.Errorf("shape %s out of range", s[2])
		}
	}
	shape := fmt.Sprintf("(%d,)", n)
	if twoD {
		shape = fmt.Sprintf("(%d, %d)", n, k)
	}
	if n != rows {
		if n < rows {
			return nil, fmt.Errorf("short answer: %d rows (shape %s), want %d", n, shape, rows)
		}
		return nil, fmt.Errorf("%d rows (shape %s), want %d", n, shape, rows)
	}
	if k != cols || (!twoD && cols > 1) {
		want := fmt.Sprintf("(%d,) or (%d, 1)", rows, rows)
		if cols > 1 {
			want = fmt.Sprintf("(%d, %d)", rows, cols)
		}
		return nil, fmt.Errorf("shape %s, want %s", shape, want)
	}
	if o[1] == "True" && k > 1 && n > 1 {
		return nil, errors.New("a Fortran-ordered array: write it in C order (numpy.ascontiguousarray)")
	}
	data := body[start+hlen:]
	if want := n * k * size; len(data) != want {
		return nil, fmt.Errorf("%d bytes of data for shape %s of %c%d, want %d", len(data), shape, kind, size, want)
	}
	a := &npyArray{values: make([]float64, n*k), rows: n, cols: k, kind: kind}
	for i := range a.values {
		b := data[i*size : (i+1)*size]
		switch {
		case kind == 'f' && size == 8:
			a.values[i] = math.Float64frombits(bo.Uint64(b))
		case kind == 'f' && size == 4:
			a.values[i] = float64(math.Float32frombits(bo.Uint32(b)))
		case kind == 'f':
			a.values[i] = float16(bo.Uint16(b))
		case kind == 'i' && size == 8:
			a.values[i] = float64(int64(bo.Uint64(b)))
		case kind == 'i' && size == 4:
			a.values[i] = float64(int32(bo.Uint32(b)))
		case kind == 'i' && size == 2:
			a.values[i] = float64(int16(bo.Uint16(b)))
		case kind == 'i':
			a.values[i] = float64(int8(b[0]))
		case size == 8:
			a.values[i] = float64(bo.Uint64(b))
		case size == 4:
			a.values[i] = float64(bo.Uint32(b))
		case size == 2:
			a.values[i] = float64(bo.Uint16(b))
		default: // u1 and b1
			a.values[i] = float64(b[0])
		}
	}
	return a, nil
}

// float16 converts an IEEE 754 half-precision value.
func float16(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}

func truncate(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}
