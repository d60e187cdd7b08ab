package crush

import (
	"errors"
	"fmt"
	"math"
)

// Bucket construction and item maintenance, following src/crush/builder.c:
// the per-algorithm make/add/remove/adjust functions keep each bucket's
// derived arrays (sum_weights, tree node weights, straw lengths) exactly
// as Ceph computes them, since those arrays are encoded and drive mapping.

// ErrWeightOverflow is builder.c's -ERANGE: a weight sum would exceed 32 bits.
var ErrWeightOverflow = errors.New("crush: bucket weight overflows 32 bits")

// NewBucket is crush_make_bucket: a bucket of the given algorithm holding
// items with their 16.16 weights (a uniform bucket takes the first weight
// for every item). Its ID is set when it is added to a map.
func (m *CrushMap) NewBucket(alg BucketAlg, hash HashType, typ uint16, items []int32, weights []uint32) (*Bucket, error) {
	if len(items) != len(weights) {
		return nil, fmt.Errorf("crush: %d items but %d weights", len(items), len(weights))
	}
	b := &Bucket{Alg: alg, Hash: hash, Type: typ, Items: append([]int32{}, items...)}
	switch alg {
	case BucketUniform:
		if len(items) > 0 {
			b.ItemWeight = weights[0]
		}
		w := uint64(b.ItemWeight) * uint64(len(items))
		if w > math.MaxUint32 {
			return nil, ErrWeightOverflow
		}
		b.Weight = uint32(w)
	case BucketList:
		b.ItemWeights = append([]uint32{}, weights...)
		b.SumWeights = make([]uint32, len(items))
		var sum uint32
		for i, w := range weights {
			if addUnsafe(sum, w) {
				return nil, ErrWeightOverflow
			}
			sum += w
			b.SumWeights[i] = sum
		}
		b.Weight = sum
	case BucketTree:
		if len(items) == 0 {
			return b, nil
		}
		depth := treeDepth(len(items))
		b.NumNodes = uint8(1 << depth)
		b.NodeWeights = make([]uint32, int(1)<<depth)
		for i, w := range weights {
			node := treeNode(i)
			b.NodeWeights[node] = w
			if addUnsafe(b.Weight, w) {
				return nil, ErrWeightOverflow
			}
			b.Weight += w
			for j := 1; j < depth; j++ {
				node = treeParent(node)
				b.NodeWeights[node] += w
			}
		}
	case BucketStraw, BucketStraw2:
		b.ItemWeights = append([]uint32{}, weights...)
		for _, w := range weights {
			b.Weight += w
		}
		if alg == BucketStraw {
			b.Straws = make([]uint32, len(items))
			m.calcStraw(b)
		}
	default:
		return nil, fmt.Errorf("crush: unknown bucket algorithm %d", alg)
	}
	return b, nil
}

func addUnsafe(a, b uint32) bool { return math.MaxUint32-b < a }

// treeDepth is calc_depth.
func treeDepth(size int) int {
	if size == 0 {
		return 0
	}
	depth := 1
	for t := size - 1; t != 0; t >>= 1 {
		depth++
	}
	return depth
}

func treeHeight(n int) int {
	h := 0
	for n&1 == 0 {
		h++
		n >>= 1
	}
	return h
}

// treeParent is parent() of builder.c.
func treeParent(n int) int {
	h := treeHeight(n)
	if n&(1<<(h+1)) != 0 {
		return n - 1<<h
	}
	return n + 1<<h
}

// calcStraw is crush_calc_straw: the straw lengths of a straw bucket, by
// the map's straw_calc_version. The float arithmetic mirrors Ceph's doubles.
func (m *CrushMap) calcStraw(b *Bucket) {
	size := len(b.Items)
	weights := b.ItemWeights
	// Indices sorted by ascending weight, stable (insertion sort).
	reverse := make([]int, size)
	for i := range size {
		j := 0
		for ; j < i; j++ {
			if weights[i] < weights[reverse[j]] {
				copy(reverse[j+1:i+1], reverse[j:i])
				reverse[j] = i
				break
			}
		}
		if j == i {
			reverse[i] = i
		}
	}
	numleft := size
	straw := 1.0
	wbelow := 0.0
	lastw := 0.0
	v0 := m.Tunables.StrawCalcVersion == 0
	for i := 0; i < size; {
		if weights[reverse[i]] == 0 {
			b.Straws[reverse[i]] = 0
			i++
			if !v0 {
				numleft--
			}
			continue
		}
		b.Straws[reverse[i]] = uint32(straw * 0x10000)
		i++
		if i == size {
			break
		}
		if v0 {
			if weights[reverse[i]] == weights[reverse[i-1]] {
				continue
			}
			wbelow += (float64(weights[reverse[i-1]]) - lastw) * float64(numleft)
			for j := i; j < size; j++ {
				if weights[reverse[j]] != weights[reverse[i]] {
					break
				}
				numleft--
			}
		} else {
			wbelow += (float64(weights[reverse[i-1]]) - lastw) * float64(numleft)
			numleft--
		}
		// Ceph multiplies an int by a u32 difference: unsigned arithmetic.
		wnext := float64(uint32(numleft) * (weights[reverse[i]] - weights[reverse[i-1]]))
		pbelow := wbelow / (wbelow + wnext)
		straw *= math.Pow(1.0/pbelow, 1.0/float64(numleft))
		lastw = float64(weights[reverse[i-1]])
	}
}

// bucketAddItem is crush_bucket_add_item.
func (m *CrushMap) bucketAddItem(b *Bucket, item int32, weight uint32) error {
	if addUnsafe(b.Weight, weight) {
		return ErrWeightOverflow
	}
	switch b.Alg {
	case BucketUniform:
		b.Items = append(b.Items, item)
	case BucketList:
		sum := weight
		if n := len(b.SumWeights); n > 0 {
			sum += b.SumWeights[n-1]
		}
		b.Items = append(b.Items, item)
		b.ItemWeights = append(b.ItemWeights, weight)
		b.SumWeights = append(b.SumWeights, sum)
	case BucketTree:
		newsize := len(b.Items) + 1
		depth := treeDepth(newsize)
		b.NumNodes = uint8(1 << depth)
		for len(b.NodeWeights) < int(1)<<depth {
			b.NodeWeights = append(b.NodeWeights, 0)
		}
		node := treeNode(newsize - 1)
		b.NodeWeights[node] = weight
		// A deeper tree's new root starts with the old root's weight.
		if root := (int(1) << depth) / 2; depth >= 2 && node-1 == root {
			b.NodeWeights[root] = b.NodeWeights[root/2]
		}
		for j := 1; j < depth; j++ {
			node = treeParent(node)
			b.NodeWeights[node] += weight
		}
		b.Items = append(b.Items, item)
	case BucketStraw:
		b.Items = append(b.Items, item)
		b.ItemWeights = append(b.ItemWeights, weight)
		b.Straws = append(b.Straws, 0)
		b.Weight += weight
		m.calcStraw(b)
		return nil
	case BucketStraw2:
		b.Items = append(b.Items, item)
		b.ItemWeights = append(b.ItemWeights, weight)
	}
	b.Weight += weight
	return nil
}

// bucketRemoveItem is crush_bucket_remove_item.
func (m *CrushMap) bucketRemoveItem(b *Bucket, item int32) error {
	i := indexOf(b.Items, item)
	if i < 0 {
		return fmt.Errorf("crush: item %d not in bucket %d", item, b.ID)
	}
	sub := func(w uint32) {
		if w < b.Weight {
			b.Weight -= w
		} else {
			b.Weight = 0
		}
	}
	switch b.Alg {
	case BucketUniform:
		b.Items = remove(b.Items, i)
		sub(b.ItemWeight)
	case BucketList:
		w := b.ItemWeights[i]
		for j := i + 1; j < len(b.SumWeights); j++ {
			b.SumWeights[j] -= w
		}
		b.Items = remove(b.Items, i)
		b.ItemWeights = remove(b.ItemWeights, i)
		b.SumWeights = remove(b.SumWeights, i)
		sub(w)
	case BucketTree:
		depth := treeDepth(len(b.Items))
		node := treeNode(i)
		w := b.NodeWeights[node]
		b.NodeWeights[node] = 0
		// Pacific leaves the slot in place holding item 0 (as
		// crushtool --remove-item shows), not the removed id.
		b.Items[i] = 0
		for j := 1; j < depth; j++ {
			node = treeParent(node)
			b.NodeWeights[node] -= w
		}
		sub(w)
		// The tree only shrinks past trailing empty leaves.
		newsize := len(b.Items)
		for newsize > 0 && b.NodeWeights[treeNode(newsize-1)] == 0 {
			newsize--
		}
		if newsize != len(b.Items) {
			if od, nd := treeDepth(len(b.Items)), treeDepth(newsize); od != nd {
				b.NumNodes = uint8(1 << nd)
				b.NodeWeights = b.NodeWeights[:int(1)<<nd]
			}
			b.Items = b.Items[:newsize]
		}
	case BucketStraw, BucketStraw2:
		sub(b.ItemWeights[i])
		b.Items = remove(b.Items, i)
		b.ItemWeights = remove(b.ItemWeights, i)
		if b.Alg == BucketStraw {
			b.Straws = b.Straws[:len(b.Items)]
			m.calcStraw(b)
		}
	}
	return nil
}

// bucketAdjustItemWeight is crush_bucket_adjust_item_weight; it returns
// the weight difference (0 when the item is not in the bucket).
func (m *CrushMap) bucketAdjustItemWeight(b *Bucket, item int32, weight uint32) int32 {
	if b.Alg == BucketUniform {
		diff := (int32(weight) - int32(b.ItemWeight)) * int32(len(b.Items))
		b.ItemWeight = weight
		b.Weight = weight * uint32(len(b.Items))
		return diff
	}
	i := indexOf(b.Items, item)
	if i < 0 {
		return 0
	}
	var diff int32
	switch b.Alg {
	case BucketList:
		diff = int32(weight - b.ItemWeights[i])
		b.ItemWeights[i] = weight
		for j := i; j < len(b.SumWeights); j++ {
			b.SumWeights[j] += uint32(diff)
		}
	case BucketTree:
		node := treeNode(i)
		diff = int32(weight - b.NodeWeights[node])
		b.NodeWeights[node] = weight
		for j := 1; j < treeDepth(len(b.Items)); j++ {
			node = treeParent(node)
			b.NodeWeights[node] += uint32(diff)
		}
	case BucketStraw, BucketStraw2:
		diff = int32(weight - b.ItemWeights[i])
		b.ItemWeights[i] = weight
	}
	b.Weight += uint32(diff)
	if b.Alg == BucketStraw {
		m.calcStraw(b)
	}
	return diff
}

// reweightBucket is crush_reweight_bucket: recompute b's weight (and its
// item weights for sub-buckets) from the leaves up.
func (m *CrushMap) reweightBucket(b *Bucket) error {
	switch b.Alg {
	case BucketUniform:
		var sum, n, leaves uint32
		for _, id := range b.Items {
			if id < 0 {
				c := m.Bucket(id)
				if c == nil {
					continue
				}
				if err := m.reweightBucket(c); err != nil {
					return err
				}
				if addUnsafe(sum, c.Weight) {
					return ErrWeightOverflow
				}
				sum += c.Weight
				n++
			} else {
				leaves++
			}
		}
		if n > leaves {
			b.ItemWeight = sum / n
		}
		b.Weight = b.ItemWeight * uint32(len(b.Items))
		return nil
	case BucketTree:
		b.Weight = 0
		for i, id := range b.Items {
			node := treeNode(i)
			if c := m.Bucket(id); id < 0 && c != nil {
				if err := m.reweightBucket(c); err != nil {
					return err
				}
				b.NodeWeights[node] = c.Weight
			}
			if addUnsafe(b.Weight, b.NodeWeights[node]) {
				return ErrWeightOverflow
			}
			b.Weight += b.NodeWeights[node]
		}
		return nil
	default: // list, straw, straw2 keep per-item weights
		b.Weight = 0
		for i, id := range b.Items {
			if c := m.Bucket(id); id < 0 && c != nil {
				if err := m.reweightBucket(c); err != nil {
					return err
				}
				b.ItemWeights[i] = c.Weight
			}
			if addUnsafe(b.Weight, b.ItemWeights[i]) {
				return ErrWeightOverflow
			}
			b.Weight += b.ItemWeights[i]
		}
		switch b.Alg {
		case BucketList:
			// Ceph's crush_reweight_list_bucket leaves sum_weights as
			// they were; so do we.
		case BucketStraw:
			m.calcStraw(b)
		}
		return nil
	}
}

// addBucketAt is crush_add_bucket: place b at id (or the lowest free id
// when id is 0), growing max_buckets by doubling as builder.c does.
func (m *CrushMap) addBucketAt(id int32, b *Bucket) (int32, error) {
	if id == 0 {
		id = m.nextBucketID()
	}
	if id >= 0 {
		return 0, fmt.Errorf("crush: bucket id %d must be negative", id)
	}
	pos := int(-1 - int64(id))
	for pos >= len(m.Buckets) {
		n := len(m.Buckets) * 2
		if n == 0 {
			n = 8
		}
		m.Buckets = append(m.Buckets, make([]*Bucket, n-len(m.Buckets))...)
	}
	if m.Buckets[pos] != nil {
		return 0, fmt.Errorf("crush: bucket id %d already exists", id)
	}
	b.ID = id
	m.Buckets[pos] = b
	return id, nil
}

// nextBucketID is CrushWrapper::get_new_bucket_id as Pacific has it: the
// lowest free slot, or one past the end (without growing the array).
func (m *CrushMap) nextBucketID() int32 {
	pos := 0
	for pos < len(m.Buckets) && m.Buckets[pos] != nil {
		pos++
	}
	return int32(-1 - pos)
}

func indexOf(s []int32, v int32) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func remove[T any](s []T, i int) []T {
	return append(s[:i], s[i+1:]...)
}
