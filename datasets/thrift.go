package datasets

import (
	"errors"
	"fmt"
)

// checkThrift walks a Thrift compact-protocol struct (a Parquet footer)
// without decoding it and rejects the sizes a hostile file could use to
// make a decoder allocate without bound. parquet-go's decoder trusts every
// list, set, map and binary length up to 2^31 and allocates before reading
// (found by FuzzReadDataset: a 9 kB file claiming a list of 500 million
// row groups exhausts memory). Every element takes at least one byte, so a
// count larger than the bytes left cannot be honest.
func checkThrift(b []byte) error {
	w := thriftWalker{b: b}
	if err := w.value(tStruct, 0); err != nil {
		return fmt.Errorf("corrupt footer at byte %d: %w", w.i, err)
	}
	return nil
}

// Compact-protocol type codes.
const (
	tTrue   = 1
	tFalse  = 2
	tByte   = 3
	tI16    = 4
	tI32    = 5
	tI64    = 6
	tDouble = 7
	tBinary = 8
	tList   = 9
	tSet    = 10
	tMap    = 11
	tStruct = 12
)

// maxThriftDepth bounds nesting; Parquet's footer nests a few levels.
const maxThriftDepth = 32

type thriftWalker struct {
	b []byte
	i int
}

var errThriftEOF = errors.New("unexpected end")

func (w *thriftWalker) byte() (byte, error) {
	if w.i >= len(w.b) {
		return 0, errThriftEOF
	}
	c := w.b[w.i]
	w.i++
	return c, nil
}

func (w *thriftWalker) uvarint() (uint64, error) {
	var v uint64
	for shift := 0; shift < 64; shift += 7 {
		c, err := w.byte()
		if err != nil {
			return 0, err
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v, nil
		}
	}
	return 0, errors.New("varint too long")
}

// count reads nothing; it checks that n elements can fit in what is left.
func (w *thriftWalker) count(n uint64, what string) error {
	if n > uint64(len(w.b)-w.i) {
		return fmt.Errorf("%s of %d elements in %d bytes", what, n, len(w.b)-w.i)
	}
	return nil
}

// elementType is the type of a list, set or map element as it is encoded:
// booleans there take a byte each, not a field header's type code.
func elementType(t byte) byte {
	if t == tTrue || t == tFalse {
		return tByte
	}
	return t
}

func (w *thriftWalker) value(t byte, depth int) error {
	if depth > maxThriftDepth {
		return errors.New("nested too deeply")
	}
	switch t {
	case tTrue, tFalse:
		// In a struct the value is in the field header; elements of lists
		// and maps arrive as tByte (elementType).
		return nil
	case tByte:
		_, err := w.byte()
		return err
	case tI16, tI32, tI64:
		_, err := w.uvarint()
		return err
	case tDouble:
		if len(w.b)-w.i < 8 {
			return errThriftEOF
		}
		w.i += 8
		return nil
	case tBinary:
		n, err := w.uvarint()
		if err != nil {
			return err
		}
		if err := w.count(n, "binary"); err != nil {
			return err
		}
		w.i += int(n)
		return nil
	case tList, tSet:
		h, err := w.byte()
		if err != nil {
			return err
		}
		n, elem := uint64(h>>4), h&0x0f
		if n == 0x0f {
			if n, err = w.uvarint(); err != nil {
				return err
			}
		}
		if err := w.count(n, "list"); err != nil {
			return err
		}
		elem = elementType(elem)
		for range n {
			if err := w.value(elem, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tMap:
		n, err := w.uvarint()
		if err != nil || n == 0 {
			return err
		}
		if err := w.count(n, "map"); err != nil {
			return err
		}
		kv, err := w.byte()
		if err != nil {
			return err
		}
		k, v := elementType(kv>>4), elementType(kv&0x0f)
		for range n {
			if err := w.value(k, depth+1); err != nil {
				return err
			}
			if err := w.value(v, depth+1); err != nil {
				return err
			}
		}
		return nil
	case tStruct:
		return w.fields(depth, func(int, byte) (bool, error) { return false, nil })
	}
	return fmt.Errorf("unknown type %d", t)
}

// fields walks a struct, calling field with each field's id and type;
// field reads the value and reports true, or reports false for fields
// walks past it.
func (w *thriftWalker) fields(depth int, field func(id int, t byte) (bool, error)) error {
	if depth > maxThriftDepth {
		return errors.New("nested too deeply")
	}
	id := 0
	for {
		h, err := w.byte()
		if err != nil {
			return err
		}
		if h == 0 { // stop
			return nil
		}
		if delta := int(h >> 4); delta != 0 {
			id += delta
		} else {
			u, err := w.uvarint()
			if err != nil {
				return err
			}
			id = int(int16(u>>1) ^ -int16(u&1))
		}
		t := h & 0x0f
		done, err := field(id, t)
		if err != nil {
			return err
		}
		if !done {
			if err := w.value(t, depth+1); err != nil {
				return err
			}
		}
	}
}
