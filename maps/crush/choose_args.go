package crush

import (
	"fmt"
	"slices"
)

// CreateChooseArgs is CrushWrapper::create_choose_args (`osd crush
// weight-set create-compat` uses DefaultChooseArgs and one position, `osd
// crush weight-set create POOL MODE` the pool id): every straw2 bucket
// gets `positions` weight sets initialised with its item weights. An
// existing set is left alone.
func (m *CrushMap) CreateChooseArgs(id int64, positions int) error {
	if positions <= 0 {
		return fmt.Errorf("%w: %d weight-set positions", ErrInvalid, positions)
	}
	if _, ok := m.ChooseArgs[id]; ok {
		return nil
	}
	am := ChooseArgMap{}
	for i, b := range m.Buckets {
		if b == nil || b.Alg != BucketStraw2 {
			continue
		}
		a := ChooseArg{WeightSet: make([][]uint32, positions)}
		for p := range a.WeightSet {
			a.WeightSet[p] = append([]uint32{}, b.ItemWeights...)
		}
		am[int32(i)] = a
	}
	m.ChooseArgs[id] = am
	return nil
}

// RemoveChooseArgs is rm_choose_args (`osd crush weight-set rm`).
func (m *CrushMap) RemoveChooseArgs(id int64) {
	delete(m.ChooseArgs, id)
}

// Weight-set maintenance. CrushWrapper keeps every choose_args set in step
// with the hierarchy: bucket_add_item/bucket_remove_item grow and shrink
// the sets, bucket_adjust_item_weight can write the new weight into them,
// and adjust_item_weight_in_bucket re-sums a bucket's sets into its
// parents (choose_args_adjust_item_weight). These helpers mirror that,
// quirks included, so maps with weight sets stay byte-identical.

// chooseArgsPositions is get_choose_args_positions: the position count of
// the first bucket that has weight sets, else 1.
func chooseArgsPositions(am ChooseArgMap) int {
	for _, i := range sortedKeys(am) {
		if n := len(am[i].WeightSet); n > 0 {
			return n
		}
	}
	return 1
}

func repeatWeights(w []uint32, n int) [][]uint32 {
	out := make([][]uint32, n)
	for i := range out {
		out[i] = append([]uint32{}, w...)
	}
	return out
}

// wrapperAddItem is CrushWrapper::bucket_add_item.
func (m *CrushMap) wrapperAddItem(b *Bucket, item int32, weight uint32) error {
	if err := m.bucketAddItem(b, item, weight); err != nil {
		return err
	}
	idx := -1 - b.ID
	for _, am := range m.ChooseArgs {
		a, ok := am[idx]
		if !ok {
			continue
		}
		for j := range a.WeightSet {
			a.WeightSet[j] = append(a.WeightSet[j], weight)
		}
		if len(a.IDs) > 0 {
			a.IDs = append(a.IDs, item)
		}
		am[idx] = a
	}
	return nil
}

// wrapperRemoveItem is CrushWrapper::bucket_remove_item.
func (m *CrushMap) wrapperRemoveItem(b *Bucket, item int32) error {
	pos := indexOf(b.Items, item)
	if err := m.bucketRemoveItem(b, item); err != nil {
		return err
	}
	idx := -1 - b.ID
	for _, am := range m.ChooseArgs {
		a, ok := am[idx]
		if !ok {
			continue
		}
		for j, ws := range a.WeightSet {
			if pos < len(ws) {
				a.WeightSet[j] = remove(ws, pos)
			}
		}
		if pos < len(a.IDs) {
			a.IDs = remove(a.IDs, pos)
		}
		am[idx] = a
	}
	return nil
}

// wrapperAdjustItemWeight is CrushWrapper::bucket_adjust_item_weight.
func (m *CrushMap) wrapperAdjustItemWeight(b *Bucket, item int32, weight uint32, adjustWeightSets bool) int32 {
	if pos := indexOf(b.Items, item); adjustWeightSets && pos >= 0 {
		for _, am := range m.ChooseArgs {
			for _, ws := range am[-1-b.ID].WeightSet {
				if pos < len(ws) {
					ws[pos] = weight
				}
			}
		}
	}
	return m.bucketAdjustItemWeight(b, item, weight)
}

// propagateWeightSets is the tail of adjust_item_weight_in_bucket: each
// weight set of b, summed, becomes b's weight in its parents' sets.
func (m *CrushMap) propagateWeightSets(b *Bucket) {
	for _, key := range sortedKeys64(m.ChooseArgs) {
		am := m.ChooseArgs[key]
		a := am[-1-b.ID]
		if len(a.WeightSet) == 0 {
			continue
		}
		w := make([]uint32, len(a.WeightSet))
		for j, ws := range a.WeightSet {
			for i := 0; i < len(b.Items) && i < len(ws); i++ {
				w[j] += ws[i]
			}
		}
		m.chooseArgsAdjustItemWeight(am, b.ID, w)
	}
}

// ChooseArgsAdjustItemWeight is choose_args_adjust_item_weight (`osd
// crush weight-set reweight[-compat] ITEM W...`): set item's weights (one
// per position) in the weight sets of choose_args set key, and the sums up
// the tree. Buckets without weight sets get them, from their item weights.
func (m *CrushMap) ChooseArgsAdjustItemWeight(key int64, item int32, weights []uint32) error {
	am, ok := m.ChooseArgs[key]
	if !ok {
		return fmt.Errorf("%w: no weight-set %d", ErrNotFound, key)
	}
	if m.chooseArgsAdjustItemWeight(am, item, weights) == 0 {
		return fmt.Errorf("%w: item %d not found in crush map", ErrNotFound, item)
	}
	return nil
}

func (m *CrushMap) chooseArgsAdjustItemWeight(am ChooseArgMap, id int32, w []uint32) int {
	changed := 0
	for _, b := range m.Buckets {
		if b != nil {
			changed += m.chooseArgsAdjustInBucket(am, b, id, w)
		}
	}
	return changed
}

// chooseArgsAdjustInBucket is _choose_args_adjust_item_weight_in_bucket.
func (m *CrushMap) chooseArgsAdjustInBucket(am ChooseArgMap, b *Bucket, id int32, w []uint32) int {
	idx := -1 - b.ID
	a := am[idx]
	changed := 0
	if len(a.WeightSet) == 0 {
		n := chooseArgsPositions(am)
		a.WeightSet = make([][]uint32, n)
		for p := range a.WeightSet {
			a.WeightSet[p] = make([]uint32, len(b.Items))
			for i := range b.Items {
				a.WeightSet[p][i] = b.ItemWeightAt(i)
			}
		}
		am[idx] = a
		changed++
	}
	if len(a.WeightSet) != len(w) {
		return 0
	}
	for i, it := range b.Items {
		if it == id {
			for j := range w {
				if i < len(a.WeightSet[j]) {
					a.WeightSet[j][i] = w[j]
				}
			}
			changed++
		}
	}
	if changed > 0 {
		bw := make([]uint32, len(w))
		for j := range w {
			for i := 0; i < len(b.Items) && i < len(a.WeightSet[j]); i++ {
				bw[j] += a.WeightSet[j][i]
			}
		}
		m.chooseArgsAdjustItemWeight(am, b.ID, bw)
	}
	return changed
}

// reweightWeightSets is CrushWrapper::reweight_bucket: sum weight sets up
// from the devices. Like Ceph, it only reads and writes position 0 of each
// set while adding into every position.
func (m *CrushMap) reweightWeightSets(b *Bucket, am ChooseArgMap) []uint32 {
	a := am[-1-b.ID]
	npos := len(a.WeightSet)
	w := make([]uint32, npos)
	for i, it := range b.Items {
		if it >= 0 {
			for pos := range npos {
				if i < len(a.WeightSet[0]) {
					w[pos] += a.WeightSet[0][i]
				}
			}
			continue
		}
		sub := m.Bucket(it)
		if sub == nil {
			continue
		}
		subw := m.reweightWeightSets(sub, am)
		for pos := range npos {
			var v uint32
			if pos < len(subw) {
				v = subw[pos]
			}
			w[pos] += v
			if i < len(a.WeightSet[0]) {
				a.WeightSet[0][i] = v
			}
		}
	}
	return w
}

func sortedKeys(am ChooseArgMap) []int32 {
	keys := make([]int32, 0, len(am))
	for k := range am {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func sortedKeys64(m map[int64]ChooseArgMap) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
