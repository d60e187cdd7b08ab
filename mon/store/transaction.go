package store

import (
	"fmt"
	"strconv"

	"github.com/kelp-ceph/kelp/encoding"
)

// OpType is a MonitorDBStore::Transaction op type.
type OpType uint8

const (
	OpPut        OpType = 1
	OpErase      OpType = 2
	OpCompact    OpType = 3
	OpEraseRange OpType = 4
)

func (t OpType) String() string {
	switch t {
	case OpPut:
		return "PUT"
	case OpErase:
		return "ERASE"
	case OpCompact:
		return "COMPACT"
	case OpEraseRange:
		return "ERASE_RANGE"
	}
	return "unknown"
}

// Op is one operation of a Transaction (MonitorDBStore::Op). Key is the
// start key of a range for OpEraseRange and OpCompact, EndKey its end
// (exclusive). Value is only used by OpPut.
type Op struct {
	Type   OpType
	Prefix string
	Key    string
	Value  []byte
	EndKey string
}

// approxSize is Op::approx_size, which Ceph adds up into a transaction's
// byte count; the count is encoded, so it must match.
func (o *Op) approxSize() uint64 {
	return uint64(6 + 1 + 4 + len(o.Prefix) + 4 + len(o.Key) + 4 + len(o.EndKey) + 4 + len(o.Value))
}

// Transaction is an ordered list of ops applied atomically
// (MonitorDBStore::Transaction). Bytes and Keys are Ceph's running
// estimates (they start at 26 and 0), kept because they are encoded.
type Transaction struct {
	Ops   []Op
	Bytes uint64
	Keys  uint64
}

// emptyBytes is the byte estimate of an empty transaction: 6 + 4 + 8*2.
const emptyBytes = 6 + 4 + 8*2

// NewTransaction returns an empty transaction.
func NewTransaction() *Transaction { return &Transaction{Bytes: emptyBytes} }

func (t *Transaction) add(o Op, counts bool) {
	t.Ops = append(t.Ops, o)
	if counts {
		t.Keys++
		t.Bytes += o.approxSize()
	}
}

// VersionKey is how Ceph spells a version as a key: decimal.
func VersionKey(v uint64) string { return strconv.FormatUint(v, 10) }

// Put sets prefix/key to value. The transaction keeps value (no copy).
func (t *Transaction) Put(prefix, key string, value []byte) {
	t.add(Op{Type: OpPut, Prefix: prefix, Key: key, Value: value}, true)
}

// PutVersion sets the value of a numbered version (prefix/"<ver>").
func (t *Transaction) PutVersion(prefix string, ver uint64, value []byte) {
	t.Put(prefix, VersionKey(ver), value)
}

// PutU64 stores a version_t (u64, little-endian) as Ceph's put(prefix,
// key, version_t) does.
func (t *Transaction) PutU64(prefix, key string, v uint64) {
	var e encoding.Encoder
	e.U64(v)
	t.Put(prefix, key, e.Bytes())
}

// Erase removes prefix/key.
func (t *Transaction) Erase(prefix, key string) {
	t.add(Op{Type: OpErase, Prefix: prefix, Key: key}, true)
}

// EraseVersion removes a numbered version.
func (t *Transaction) EraseVersion(prefix string, ver uint64) { t.Erase(prefix, VersionKey(ver)) }

// EraseRange removes the keys k of prefix with begin <= k < end.
func (t *Transaction) EraseRange(prefix, begin, end string) {
	t.add(Op{Type: OpEraseRange, Prefix: prefix, Key: begin, EndKey: end}, true)
}

// CompactPrefix asks for a prefix to be compacted after the transaction
// commits; it changes no data.
func (t *Transaction) CompactPrefix(prefix string) {
	t.add(Op{Type: OpCompact, Prefix: prefix}, false)
}

// CompactRange asks for a key range of a prefix to be compacted.
func (t *Transaction) CompactRange(prefix, start, end string) {
	t.add(Op{Type: OpCompact, Prefix: prefix, Key: start, EndKey: end}, false)
}

// Append moves other's ops to the end of t (Transaction::append).
func (t *Transaction) Append(other *Transaction) {
	t.Ops = append(t.Ops, other.Ops...)
	t.Keys += other.Keys
	t.Bytes += other.Bytes
}

// Empty reports whether t has no ops.
func (t *Transaction) Empty() bool { return len(t.Ops) == 0 }

// Encode appends t as Transaction::encode does: ENCODE_START(2, 1), the op
// list (each Op ENCODE_START(2, 1): u8 type, prefix, key, bufferlist,
// endkey), u64 bytes, u64 keys.
func (t *Transaction) Encode(e *encoding.Encoder) {
	m := e.Start(2, 1)
	e.Count(len(t.Ops))
	for i := range t.Ops {
		o := &t.Ops[i]
		om := e.Start(2, 1)
		e.U8(uint8(o.Type))
		e.Str(o.Prefix)
		e.Str(o.Key)
		e.Blob(o.Value)
		e.Str(o.EndKey)
		e.End(om)
	}
	e.U64(t.Bytes)
	e.U64(t.Keys)
	e.End(m)
}

// Marshal returns t's encoding.
func (t *Transaction) Marshal() []byte {
	var e encoding.Encoder
	t.Encode(&e)
	return e.Bytes()
}

// minOpLen is the smallest encoded Op: struct header, type, three empty
// strings and an empty bufferlist (v1 ops have no endkey).
const minOpLen = 6 + 1 + 4 + 4 + 4

// DecodeTransaction decodes a Transaction from d (Transaction::decode),
// accepting struct v1 (no byte/key counts, ops without endkey). Values
// are copied: the Transaction does not alias the input.
func DecodeTransaction(d *encoding.Decoder) *Transaction {
	t := &Transaction{}
	s := d.StartNamed("MonitorDBStore::Transaction", 2)
	n := d.Count(minOpLen)
	if n > 0 {
		t.Ops = make([]Op, 0, n)
	}
	for range n {
		var o Op
		os := d.StartNamed("MonitorDBStore::Op", 2)
		o.Type = OpType(d.U8())
		o.Prefix = d.Str()
		o.Key = d.Str()
		o.Value = d.BlobCopy()
		if os.V >= 2 {
			o.EndKey = d.Str()
		}
		d.End(os)
		if d.Err() != nil {
			return nil
		}
		t.Ops = append(t.Ops, o)
	}
	if s.V >= 2 {
		t.Bytes = d.U64()
		t.Keys = d.U64()
	}
	d.End(s)
	if d.Err() != nil {
		return nil
	}
	return t
}

// UnmarshalTransaction decodes a whole buffer holding one Transaction.
func UnmarshalTransaction(b []byte) (*Transaction, error) {
	d := encoding.NewDecoder(b)
	t := DecodeTransaction(d)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("store: decoding transaction: %w", err)
	}
	return t, nil
}

// Validate checks that every op has a known type, as apply_transaction
// requires (Ceph aborts on an unknown op; kelp refuses the transaction).
func (t *Transaction) Validate() error {
	for i, o := range t.Ops {
		switch o.Type {
		case OpPut, OpErase, OpEraseRange, OpCompact:
		default:
			return fmt.Errorf("store: op %d has unknown type %d", i, o.Type)
		}
	}
	return nil
}
