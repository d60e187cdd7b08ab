package crush

// The rule interpreter and the two descent strategies of src/crush/mapper.c
// (crush_do_rule, crush_choose_firstn, crush_choose_indep). Variable names
// follow Ceph's so the two read side by side.

// Mapper computes placements for one map. It holds the scratch state
// crush_do_rule needs (crush_work), so reusing one Mapper avoids allocating
// per mapping. A Mapper is not safe for concurrent use, and the map must not
// be changed during a DoRule call.
type Mapper struct {
	m    *CrushMap
	work []permWork
	a    []int32
	b    []int32
	c    []int32
	args ChooseArgMap
}

// NewMapper returns a Mapper for m.
func NewMapper(m *CrushMap) *Mapper {
	return &Mapper{m: m, work: make([]permWork, len(m.Buckets))}
}

// DoRule is crush_do_rule: it maps input x through rule ruleno and returns
// up to numrep items (devices, or buckets for rules that emit them). weights
// holds each device's 16.16 in-weight (0x10000 = fully in, 0 = out), indexed
// by device id; devices beyond it count as out. args, when not nil, are the
// choose_args (weight sets) to use, as CrushWrapper::choose_args_get gives.
// indep rules return ItemNone for positions they could not fill.
func (m *CrushMap) DoRule(ruleno int, x int32, weights []uint32, numrep int, args ChooseArgMap) []int32 {
	return NewMapper(m).DoRule(ruleno, x, weights, numrep, args)
}

// ChooseArgsFor returns the choose_args for index, falling back to
// DefaultChooseArgs, as CrushWrapper::choose_args_get_with_fallback does;
// nil when neither exists.
func (m *CrushMap) ChooseArgsFor(index int64) ChooseArgMap {
	if a, ok := m.ChooseArgs[index]; ok {
		return a
	}
	return m.ChooseArgs[DefaultChooseArgs]
}

// DoRule is CrushMap.DoRule using the Mapper's scratch space.
func (p *Mapper) DoRule(ruleno int, x int32, weights []uint32, numrep int, args ChooseArgMap) []int32 {
	return p.DoRuleInto(nil, ruleno, x, weights, numrep, args)
}

// DoRuleInto is DoRule appending the result to dst.
func (p *Mapper) DoRuleInto(dst []int32, ruleno int, x int32, weights []uint32, numrep int, args ChooseArgMap) []int32 {
	m := p.m
	if ruleno < 0 || ruleno >= len(m.Rules) || m.Rules[ruleno] == nil || numrep <= 0 {
		return dst
	}
	resultMax := numrep
	if cap(p.a) < resultMax {
		p.a = make([]int32, resultMax)
		p.b = make([]int32, resultMax)
		p.c = make([]int32, resultMax)
	}
	p.args = args
	if len(p.work) < len(m.Buckets) {
		// The map grew since NewMapper.
		p.work = append(p.work, make([]permWork, len(m.Buckets)-len(p.work))...)
	}
	// CrushWrapper::do_rule starts from a fresh crush_work, but a
	// permutation left from an earlier call is a pure function of
	// (bucket, x), so reusing it cannot change a result.
	w, o, c := p.a[:resultMax], p.b[:resultMax], p.c[:resultMax]
	wsize := 0
	resultLen := 0
	t := m.Tunables
	// choose_total_tries counted retries, not tries: add one.
	chooseTries := int(t.ChooseTotalTries) + 1
	chooseLeafTries := 0
	localRetries := int(t.ChooseLocalTries)
	localFallbackRetries := int(t.ChooseLocalFallbackTries)
	varyR := int(t.ChooseLeafVaryR)
	stable := int(t.ChooseLeafStable)

	for _, step := range m.Rules[ruleno].Steps {
		firstn := false
		switch step.Op {
		case OpTake:
			a := step.Arg1
			if (a >= 0 && a < m.MaxDevices) || (a < 0 && m.Bucket(a) != nil) {
				w[0] = a
				wsize = 1
			}
		case OpSetChooseTries:
			if step.Arg1 > 0 {
				chooseTries = int(step.Arg1)
			}
		case OpSetChooseLeafTries:
			if step.Arg1 > 0 {
				chooseLeafTries = int(step.Arg1)
			}
		case OpSetChooseLocalTries:
			if step.Arg1 >= 0 {
				localRetries = int(step.Arg1)
			}
		case OpSetChooseLocalFallbackTries:
			if step.Arg1 >= 0 {
				localFallbackRetries = int(step.Arg1)
			}
		case OpSetChooseLeafVaryR:
			if step.Arg1 >= 0 {
				varyR = int(step.Arg1)
			}
		case OpSetChooseLeafStable:
			if step.Arg1 >= 0 {
				stable = int(step.Arg1)
			}
		case OpChooseLeafFirstN, OpChooseFirstN, OpChooseLeafIndep, OpChooseIndep:
			firstn = step.Op == OpChooseLeafFirstN || step.Op == OpChooseFirstN
			if wsize == 0 {
				break
			}
			recurseToLeaf := step.Op == OpChooseLeafFirstN || step.Op == OpChooseLeafIndep
			osize := 0
			for i := 0; i < wsize; i++ {
				numrep := int(step.Arg1)
				if numrep <= 0 {
					numrep += resultMax
					if numrep <= 0 {
						continue
					}
				}
				bucket := m.Bucket(w[i])
				if bucket == nil {
					// w[i] is a device or ItemNone.
					continue
				}
				if firstn {
					var recurseTries int
					switch {
					case chooseLeafTries != 0:
						recurseTries = chooseLeafTries
					case t.ChooseLeafDescendOnce != 0:
						recurseTries = 1
					default:
						recurseTries = chooseTries
					}
					osize += p.chooseFirstN(bucket, weights, x, numrep, int(step.Arg2),
						o[osize:], 0, resultMax-osize, chooseTries, recurseTries,
						localRetries, localFallbackRetries, recurseToLeaf, varyR, stable,
						c[osize:], 0)
				} else {
					outSize := min(numrep, resultMax-osize)
					leafTries := 1
					if chooseLeafTries != 0 {
						leafTries = chooseLeafTries
					}
					p.chooseIndep(bucket, weights, x, outSize, numrep, int(step.Arg2),
						o[osize:], 0, chooseTries, leafTries, recurseToLeaf, c[osize:], 0)
					osize += outSize
				}
			}
			if recurseToLeaf {
				copy(o, c[:osize])
			}
			w, o = o, w
			wsize = osize
		case OpEmit:
			for i := 0; i < wsize && resultLen < resultMax; i++ {
				dst = append(dst, w[i])
				resultLen++
			}
			wsize = 0
		}
	}
	return dst
}

// itemType returns the type of an item (0 for devices) and whether the
// item names an existing bucket or a device.
func (m *CrushMap) itemType(item int32) (int, bool) {
	if item >= 0 {
		return 0, true
	}
	b := m.Bucket(item)
	if b == nil {
		return 0, false
	}
	return int(b.Type), true
}

// bucketChoose is crush_bucket_choose.
func (p *Mapper) bucketChoose(in *Bucket, x int32, r int, position int) int32 {
	switch in.Alg {
	case BucketUniform:
		return permChoose(in, &p.work[-1-in.ID], x, r)
	case BucketList:
		return listChoose(in, x, r)
	case BucketTree:
		return treeChoose(in, x, r)
	case BucketStraw:
		return strawChoose(in, x, r)
	case BucketStraw2:
		var arg *ChooseArg
		if p.args != nil {
			if a, ok := p.args[-1-in.ID]; ok {
				arg = &a
			}
		}
		return straw2Choose(in, x, r, arg, position)
	}
	return in.Items[0]
}

// isOut is is_out: a device with in-weight below 0x10000 is rejected for a
// pseudo-random fraction of inputs.
func isOut(weights []uint32, item int32, x int32) bool {
	// item < 0 only for a malformed bucket of type 0, where Ceph would
	// read outside its weight vector; such an item is rejected.
	if item < 0 || int(item) >= len(weights) {
		return true
	}
	w := weights[item]
	if w >= 0x10000 {
		return false
	}
	if w == 0 {
		return true
	}
	return Hash32_2(uint32(x), uint32(item))&0xffff >= w
}

// chooseFirstN is crush_choose_firstn: choose numrep distinct items of the
// given type below bucket, retrying on collision or rejection; with
// recurseToLeaf, also pick one device under each into out2.
func (p *Mapper) chooseFirstN(bucket *Bucket, weights []uint32, x int32, numrep, typ int,
	out []int32, outpos, outSize int, tries, recurseTries, localRetries, localFallbackRetries int,
	recurseToLeaf bool, varyR, stable int, out2 []int32, parentR int) int {
	m := p.m
	count := outSize
	rep := outpos
	if stable != 0 {
		rep = 0
	}
	for ; rep < numrep && count > 0; rep++ {
		ftotal := 0
		skipRep := false
		var item int32
		for {
			retryDescent := false
			in := bucket
			flocal := 0
			depth := 0
			for {
				collide := false
				retryBucket := false
				reject := false
				r := rep + parentR + ftotal
				if len(in.Items) == 0 {
					reject = true
				} else {
					if localFallbackRetries > 0 && flocal >= len(in.Items)>>1 && flocal > localFallbackRetries {
						item = permChoose(in, &p.work[-1-in.ID], x, r)
					} else {
						item = p.bucketChoose(in, x, r, outpos)
					}
					if item >= m.MaxDevices {
						skipRep = true
						break
					}
					itemtype, ok := m.itemType(item)
					if !ok {
						// A reference to a missing bucket: Ceph would
						// crash; treat it as a bad item.
						skipRep = true
						break
					}
					if itemtype != typ {
						// depth only guards against a cyclic (malformed)
						// hierarchy, where Ceph would loop forever.
						if depth++; item >= 0 || depth > len(m.Buckets) {
							skipRep = true
							break
						}
						in = m.Bucket(item)
						continue // retry_bucket
					}
					for i := 0; i < outpos; i++ {
						if out[i] == item {
							collide = true
							break
						}
					}
					if !collide && recurseToLeaf {
						if item < 0 {
							subR := 0
							if varyR != 0 {
								subR = r >> (varyR - 1)
							}
							inner := outpos + 1
							if stable != 0 {
								inner = 1
							}
							if p.chooseFirstN(m.Bucket(item), weights, x, inner, 0,
								out2, outpos, count, recurseTries, 0, localRetries,
								localFallbackRetries, false, varyR, stable, nil, subR) <= outpos {
								reject = true
							}
						} else {
							out2[outpos] = item
						}
					}
					if !reject && !collide && itemtype == 0 {
						reject = isOut(weights, item, x)
					}
				}
				if reject || collide {
					ftotal++
					flocal++
					switch {
					case collide && flocal <= localRetries:
						retryBucket = true
					case localFallbackRetries > 0 && flocal <= len(in.Items)+localFallbackRetries:
						retryBucket = true
					case ftotal < tries:
						retryDescent = true
					default:
						skipRep = true
					}
				}
				if !retryBucket {
					break
				}
			}
			if !retryDescent {
				break
			}
		}
		if skipRep {
			continue
		}
		out[outpos] = item
		outpos++
		count--
	}
	return outpos
}

// chooseIndep is crush_choose_indep: breadth-first and positionally
// stable, so a failed position becomes ItemNone instead of shifting later
// ones (what erasure-coded pools need).
func (p *Mapper) chooseIndep(bucket *Bucket, weights []uint32, x int32, left, numrep, typ int,
	out []int32, outpos, tries, recurseTries int, recurseToLeaf bool, out2 []int32, parentR int) {
	m := p.m
	endpos := outpos + left
	for rep := outpos; rep < endpos; rep++ {
		out[rep] = itemUndef
		if out2 != nil {
			out2[rep] = itemUndef
		}
	}
	for ftotal := 0; left > 0 && ftotal < tries; ftotal++ {
		for rep := outpos; rep < endpos; rep++ {
			if out[rep] != itemUndef {
				continue
			}
			in := bucket
			depth := 0
			for {
				r := rep + parentR
				// Be careful with uniform buckets whose size is a
				// multiple of numrep: r'=r+(n+1)*f_total there.
				if in.Alg == BucketUniform && len(in.Items)%numrep == 0 {
					r += (numrep + 1) * ftotal
				} else {
					r += numrep * ftotal
				}
				if len(in.Items) == 0 {
					break
				}
				item := p.bucketChoose(in, x, r, outpos)
				if item >= m.MaxDevices {
					out[rep] = ItemNone
					if out2 != nil {
						out2[rep] = ItemNone
					}
					left--
					break
				}
				itemtype, ok := m.itemType(item)
				if depth++; !ok || (itemtype != typ && (item >= 0 || depth > len(m.Buckets))) {
					out[rep] = ItemNone
					if out2 != nil {
						out2[rep] = ItemNone
					}
					left--
					break
				}
				if itemtype != typ {
					in = m.Bucket(item)
					continue
				}
				collide := false
				for i := outpos; i < endpos; i++ {
					if out[i] == item {
						collide = true
						break
					}
				}
				if collide {
					break
				}
				if recurseToLeaf {
					if item < 0 {
						p.chooseIndep(m.Bucket(item), weights, x, 1, numrep, 0,
							out2, rep, recurseTries, 0, false, nil, r)
						if out2 != nil && out2[rep] == ItemNone {
							break
						}
					} else if out2 != nil {
						out2[rep] = item
					}
				}
				if itemtype == 0 && isOut(weights, item, x) {
					break
				}
				out[rep] = item
				left--
				break
			}
		}
	}
	for rep := outpos; rep < endpos; rep++ {
		if out[rep] == itemUndef {
			out[rep] = ItemNone
		}
		if out2 != nil && out2[rep] == itemUndef {
			out2[rep] = ItemNone
		}
	}
}
