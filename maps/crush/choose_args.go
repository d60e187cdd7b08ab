package crush

import "fmt"

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
