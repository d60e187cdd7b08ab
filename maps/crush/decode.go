package crush

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/kelp-ceph/kelp/encoding"
)

// Decode parses an encoded crush map, as CrushWrapper::decode does: the
// sections after the names (tunables, device classes, choose_args) are
// optional, and a map that stops early gets the legacy tunables. The result
// does not alias data.
func Decode(data []byte) (*CrushMap, error) {
	d := encoding.NewDecoder(data)
	m, err := decodeFrom(d)
	if err != nil {
		return nil, err
	}
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("crush: %w", err)
	}
	return m, nil
}

// DecodeFrom decodes a crush map that ends where d's bound ends, for callers
// (such as an OSDMap decoder) that hold the map inside a larger buffer;
// anything after the map up to the bound is an error, as Decode.
func DecodeFrom(d *encoding.Decoder) (*CrushMap, error) {
	m, err := decodeFrom(d)
	if err != nil {
		return nil, err
	}
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("crush: %w", err)
	}
	return m, nil
}

func decodeFrom(d *encoding.Decoder) (*CrushMap, error) {
	m := New()
	m.Tunables = LegacyTunables()
	if magic := d.U32(); d.Err() == nil && magic != Magic {
		return nil, fmt.Errorf("crush: bad magic %#x", magic)
	}
	maxBuckets := d.I32()
	maxRules := d.U32()
	m.MaxDevices = d.I32()
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("crush: header: %w", err)
	}
	if maxBuckets < 0 || m.MaxDevices < 0 {
		return nil, fmt.Errorf("crush: %w", encoding.Malformedf("negative max_buckets %d or max_devices %d", maxBuckets, m.MaxDevices))
	}
	// Every bucket and rule slot takes at least its u32 presence word.
	if uint64(maxBuckets)*4+uint64(maxRules)*4 > uint64(d.Remaining()) {
		return nil, fmt.Errorf("crush: %d buckets and %d rules: %w", maxBuckets, maxRules, encoding.ErrShort)
	}
	m.Buckets = make([]*Bucket, maxBuckets)
	for i := range m.Buckets {
		b, err := decodeBucket(d)
		if err != nil {
			return nil, fmt.Errorf("crush: bucket slot %d: %w", i, err)
		}
		if b != nil && b.ID != int32(-1-i) {
			return nil, fmt.Errorf("crush: %w", encoding.Malformedf("bucket id %d in slot %d", b.ID, i))
		}
		m.Buckets[i] = b
	}
	m.Rules = make([]*Rule, maxRules)
	for i := range m.Rules {
		r, err := decodeRule(d)
		if err != nil {
			return nil, fmt.Errorf("crush: rule %d: %w", i, err)
		}
		m.Rules[i] = r
	}
	m.TypeNames = decodeNameMap(d)
	m.ItemNames = decodeNameMap(d)
	m.RuleNames = decodeNameMap(d)
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("crush: names: %w", err)
	}

	t := &m.Tunables
	if d.Remaining() > 0 {
		t.ChooseLocalTries = d.U32()
		t.ChooseLocalFallbackTries = d.U32()
		t.ChooseTotalTries = d.U32()
	}
	if d.Remaining() > 0 {
		t.ChooseLeafDescendOnce = d.U32()
	}
	if d.Remaining() > 0 {
		t.ChooseLeafVaryR = d.U8()
	}
	if d.Remaining() > 0 {
		t.StrawCalcVersion = d.U8()
	}
	if d.Remaining() > 0 {
		t.AllowedBucketAlgs = d.U32()
	}
	if d.Remaining() > 0 {
		t.ChooseLeafStable = d.U8()
	}
	if err := d.Err(); err != nil {
		return nil, fmt.Errorf("crush: tunables: %w", err)
	}
	if d.Remaining() > 0 {
		m.ClassMap = encoding.DecodeMap(d, 8, encoding.DecI32, encoding.DecI32)
		m.ClassNames = encoding.DecodeMap(d, 8, encoding.DecI32, encoding.DecStr)
		m.ClassBucket = encoding.DecodeMap(d, 8, encoding.DecI32, func(d *encoding.Decoder) map[int32]int32 {
			return encoding.DecodeMap(d, 8, encoding.DecI32, encoding.DecI32)
		})
		if err := d.Err(); err != nil {
			return nil, fmt.Errorf("crush: device classes: %w", err)
		}
	}
	if d.Remaining() > 0 {
		if err := m.decodeChooseArgs(d); err != nil {
			return nil, fmt.Errorf("crush: choose_args: %w", err)
		}
	}
	m.fixChooseArgs()
	m.finalize()
	return m, nil
}

// finalize is CrushWrapper::finalize after decode: max_devices is not
// taken from the wire but recomputed as one past the highest device that
// a bucket holds or that has a name.
func (m *CrushMap) finalize() {
	var maxDev int32
	for _, b := range m.Buckets {
		if b == nil {
			continue
		}
		for _, it := range b.Items {
			if it >= maxDev {
				maxDev = it + 1
			}
		}
	}
	for id := range m.ItemNames {
		if id >= maxDev {
			maxDev = id + 1
		}
	}
	m.MaxDevices = maxDev
}

// fixChooseArgs is CrushWrapper::update_choose_args: it drops choose_args
// of buckets that do not exist or are not straw2, and resizes weight sets
// that do not match their bucket's size (padding with zero weights).
func (m *CrushMap) fixChooseArgs() {
	for _, am := range m.ChooseArgs {
		positions := 0
		for _, i := range slices.Sorted(maps.Keys(am)) {
			if n := len(am[i].WeightSet); n > 0 {
				positions = n
				break
			}
		}
		for i, a := range am {
			b := m.Bucket(-1 - i)
			if b == nil || b.Alg != BucketStraw2 {
				delete(am, i)
				continue
			}
			if len(a.WeightSet) == 0 || len(a.WeightSet) != positions {
				continue
			}
			for p, ws := range a.WeightSet {
				if len(ws) != len(b.Items) {
					nw := make([]uint32, len(b.Items))
					copy(nw, ws)
					a.WeightSet[p] = nw
				}
			}
		}
	}
}

func decodeBucket(d *encoding.Decoder) (*Bucket, error) {
	if alg := d.U32(); alg == 0 {
		return nil, d.Err()
	}
	b := &Bucket{
		ID:     d.I32(),
		Type:   d.U16(),
		Alg:    BucketAlg(d.U8()),
		Hash:   HashType(d.U8()),
		Weight: d.U32(),
	}
	n := d.Count(4)
	if err := d.Err(); err != nil {
		return nil, err
	}
	if b.Alg < BucketUniform || b.Alg > BucketStraw2 {
		return nil, encoding.Malformedf("unsupported bucket algorithm %d", b.Alg)
	}
	b.Items = make([]int32, n)
	for j := range b.Items {
		b.Items[j] = d.I32()
	}
	switch b.Alg {
	case BucketUniform:
		b.ItemWeight = d.U32()
	case BucketList:
		if uint64(n)*8 > uint64(d.Remaining()) {
			return nil, encoding.ErrShort
		}
		b.ItemWeights = make([]uint32, n)
		b.SumWeights = make([]uint32, n)
		for j := range n {
			b.ItemWeights[j] = d.U32()
			b.SumWeights[j] = d.U32()
		}
	case BucketTree:
		b.NumNodes = d.U8()
		if uint64(b.NumNodes)*4 > uint64(d.Remaining()) {
			return nil, encoding.ErrShort
		}
		b.NodeWeights = make([]uint32, b.NumNodes)
		for j := range b.NodeWeights {
			b.NodeWeights[j] = d.U32()
		}
	case BucketStraw:
		if uint64(n)*8 > uint64(d.Remaining()) {
			return nil, encoding.ErrShort
		}
		b.ItemWeights = make([]uint32, n)
		b.Straws = make([]uint32, n)
		for j := range n {
			b.ItemWeights[j] = d.U32()
			b.Straws[j] = d.U32()
		}
	case BucketStraw2:
		if uint64(n)*4 > uint64(d.Remaining()) {
			return nil, encoding.ErrShort
		}
		b.ItemWeights = make([]uint32, n)
		for j := range b.ItemWeights {
			b.ItemWeights[j] = d.U32()
		}
	}
	return b, d.Err()
}

func decodeRule(d *encoding.Decoder) (*Rule, error) {
	if yes := d.U32(); yes == 0 {
		return nil, d.Err()
	}
	n := d.Count(12)
	r := &Rule{
		Ruleset: d.U8(),
		Type:    RuleType(d.U8()),
		MinSize: d.U8(),
		MaxSize: d.U8(),
	}
	if err := d.Err(); err != nil {
		return nil, err
	}
	if uint64(n)*12 > uint64(d.Remaining()) {
		return nil, encoding.ErrShort
	}
	r.Steps = make([]Step, n)
	for j := range r.Steps {
		r.Steps[j] = Step{Op: RuleOp(d.U32()), Arg1: d.I32(), Arg2: d.I32()}
	}
	return r, d.Err()
}

// decodeNameMap is decode_32_or_64_string_map: a map<int32,string> that
// some old encoders wrote with 64-bit keys, detectable because names are
// never empty (a zero "length" is the key's high word).
func decodeNameMap(d *encoding.Decoder) map[int32]string {
	n := d.Count(8)
	m := make(map[int32]string, n)
	for range n {
		k := d.I32()
		l := d.U32()
		if l == 0 {
			l = d.U32()
		}
		if d.Err() != nil {
			return m
		}
		if l == 0 {
			// Ceph would read such a name back misaligned.
			d.Fail(encoding.Malformedf("empty name for id %d", k))
			return m
		}
		if uint64(l) > uint64(d.Remaining()) {
			d.Fail(encoding.ErrShort)
			return m
		}
		m[k] = string(d.Raw(int(l)))
	}
	return m
}

var errChooseArgs = errors.New("crush: bad choose_args")

func (m *CrushMap) decodeChooseArgs(d *encoding.Decoder) error {
	n := d.Count(12)
	for range n {
		key := d.I64()
		cnt := d.Count(12)
		if err := d.Err(); err != nil {
			return err
		}
		am := make(ChooseArgMap, cnt)
		for range cnt {
			idx := d.U32()
			if d.Err() == nil && uint64(idx) >= uint64(len(m.Buckets)) {
				return fmt.Errorf("%w: bucket index %d >= max_buckets %d", errChooseArgs, idx, len(m.Buckets))
			}
			var a ChooseArg
			positions := d.Count(4)
			if positions > 0 {
				a.WeightSet = make([][]uint32, positions)
				for k := range a.WeightSet {
					a.WeightSet[k] = encoding.DecodeSlice(d, 4, encoding.DecU32)
					if a.WeightSet[k] == nil {
						a.WeightSet[k] = []uint32{}
					}
				}
			}
			ids := d.Count(4)
			if err := d.Err(); err != nil {
				return err
			}
			if ids > 0 {
				b := m.Buckets[idx]
				if b == nil || ids != len(b.Items) {
					return fmt.Errorf("%w: %d ids for bucket index %d", errChooseArgs, ids, idx)
				}
				a.IDs = make([]int32, ids)
				for k := range a.IDs {
					a.IDs[k] = d.I32()
				}
			}
			if err := d.Err(); err != nil {
				return err
			}
			am[int32(idx)] = a
		}
		m.ChooseArgs[key] = am
	}
	return d.Err()
}
