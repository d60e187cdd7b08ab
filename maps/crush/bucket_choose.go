package crush

import "math"

// The per-algorithm choose functions of src/crush/mapper.c. Each picks one
// item of bucket b for input x and replica rank r. Arithmetic follows Ceph's
// C types exactly (u32 wrap, u64 products, s64 division) because mappings
// must match bit for bit.

// permWork is struct crush_work_bucket: the lazily built permutation a
// uniform bucket (or the local fallback search) draws from.
type permWork struct {
	x    uint32
	n    uint32
	perm []uint32
}

// permChoose is bucket_perm_choose.
func permChoose(b *Bucket, w *permWork, x int32, r int) int32 {
	size := uint32(len(b.Items))
	pr := uint32(r) % size
	if cap(w.perm) < int(size) {
		w.perm = make([]uint32, size)
	}
	w.perm = w.perm[:size]
	var s uint32
	if w.x != uint32(x) || w.n == 0 {
		w.x = uint32(x)
		// The common r=0 case needs only the first element.
		if pr == 0 {
			s = bucketHash3(b.Hash, uint32(x), uint32(b.ID), 0) % size
			w.perm[0] = s
			w.n = 0xffff // marks "only perm[0] is valid"
			return b.Items[s]
		}
		for i := range w.perm {
			w.perm[i] = uint32(i)
		}
		w.n = 0
	} else if w.n == 0xffff {
		// Expand the r=0 shortcut into a real permutation prefix.
		for i := uint32(1); i < size; i++ {
			w.perm[i] = i
		}
		w.perm[w.perm[0]] = 0
		w.n = 1
	}
	for w.n <= pr {
		p := w.n
		if p < size-1 {
			i := bucketHash3(b.Hash, uint32(x), uint32(b.ID), p) % (size - p)
			if i != 0 {
				w.perm[p+i], w.perm[p] = w.perm[p], w.perm[p+i]
			}
		}
		w.n++
	}
	s = w.perm[pr]
	return b.Items[s]
}

// listChoose is bucket_list_choose: walk from the tail, accepting item i
// with probability item_weight/sum_weight.
func listChoose(b *Bucket, x int32, r int) int32 {
	for i := len(b.Items) - 1; i >= 0; i-- {
		w := uint64(bucketHash4(b.Hash, uint32(x), uint32(b.Items[i]), uint32(r), uint32(b.ID)))
		w &= 0xffff
		w *= uint64(b.SumWeights[i])
		w >>= 16
		if w < uint64(b.ItemWeights[i]) {
			return b.Items[i]
		}
	}
	return b.Items[0]
}

// treeChoose is bucket_tree_choose: descend the implicit binary tree whose
// node n has height = trailing zeros of n. Out-of-range nodes (only in a
// malformed map) end the walk at the first item instead of crashing.
func treeChoose(b *Bucket, x int32, r int) int32 {
	n := int(b.NumNodes) >> 1
	for n&1 == 0 {
		if n == 0 || n >= len(b.NodeWeights) {
			return b.Items[0]
		}
		w := b.NodeWeights[n]
		t := uint64(bucketHash4(b.Hash, uint32(x), uint32(n), uint32(r), uint32(b.ID))) * uint64(w)
		t >>= 32
		h := 0
		for m := n; m&1 == 0; m >>= 1 {
			h++
		}
		l := n - 1<<(h-1)
		if l < len(b.NodeWeights) && t < uint64(b.NodeWeights[l]) {
			n = l
		} else {
			n += 1 << (h - 1)
		}
	}
	if n>>1 >= len(b.Items) {
		return b.Items[0]
	}
	return b.Items[n>>1]
}

// strawChoose is bucket_straw_choose: the longest scaled straw wins.
func strawChoose(b *Bucket, x int32, r int) int32 {
	high := 0
	var highDraw uint64
	for i, it := range b.Items {
		draw := uint64(bucketHash3(b.Hash, uint32(x), uint32(it), uint32(r)))
		draw &= 0xffff
		draw *= uint64(b.Straws[i])
		if i == 0 || draw > highDraw {
			high = i
			highDraw = draw
		}
	}
	return b.Items[high]
}

// straw2Choose is bucket_straw2_choose: each item draws an exponential
// variable ln(u)/weight and the largest draw wins. A choose_arg may replace
// the weights (per result position) and the ids that are hashed.
func straw2Choose(b *Bucket, x int32, r int, arg *ChooseArg, position int) int32 {
	weights := b.ItemWeights
	ids := b.Items
	if arg != nil {
		if n := len(arg.WeightSet); n > 0 {
			if position >= n {
				position = n - 1
			}
			if ws := arg.WeightSet[position]; len(ws) >= len(b.Items) {
				weights = ws
			}
		}
		if len(arg.IDs) == len(b.Items) {
			ids = arg.IDs
		}
	}
	high := 0
	var highDraw int64
	for i := range b.Items {
		var draw int64
		if w := weights[i]; w != 0 {
			u := bucketHash3(b.Hash, uint32(x), uint32(ids[i]), uint32(r)) & 0xffff
			ln := int64(crushLn(u)) - 0x1000000000000
			draw = ln / int64(w)
		} else {
			draw = math.MinInt64
		}
		if i == 0 || draw > highDraw {
			high = i
			highDraw = draw
		}
	}
	return b.Items[high]
}
