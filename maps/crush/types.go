package crush

import "fmt"

// Magic is CRUSH_MAGIC, the first u32 of every encoded crush map.
const Magic uint32 = 0x00010000

// Special item values placed in mapping results (src/crush/crush.h).
const (
	// ItemNone (CRUSH_ITEM_NONE) marks a position indep could not fill.
	ItemNone int32 = 0x7fffffff
	// itemUndef (CRUSH_ITEM_UNDEF) is indep's "not decided yet".
	itemUndef int32 = 0x7ffffffe
)

// BucketAlg is a bucket's choose algorithm (CRUSH_BUCKET_*).
type BucketAlg uint8

const (
	BucketUniform BucketAlg = 1
	BucketList    BucketAlg = 2
	BucketTree    BucketAlg = 3
	BucketStraw   BucketAlg = 4
	BucketStraw2  BucketAlg = 5
)

// String returns the name crush_bucket_alg_name gives.
func (a BucketAlg) String() string {
	switch a {
	case BucketUniform:
		return "uniform"
	case BucketList:
		return "list"
	case BucketTree:
		return "tree"
	case BucketStraw:
		return "straw"
	case BucketStraw2:
		return "straw2"
	}
	return "unknown"
}

// ParseBucketAlg is the inverse of BucketAlg.String.
func ParseBucketAlg(s string) (BucketAlg, bool) {
	for a := BucketUniform; a <= BucketStraw2; a++ {
		if a.String() == s {
			return a, true
		}
	}
	return 0, false
}

// HashType is a bucket's hash function (CRUSH_HASH_*); only rjenkins1 exists.
type HashType uint8

// HashRjenkins1 is CRUSH_HASH_RJENKINS1, the only hash Ceph defines.
const HashRjenkins1 HashType = 0

func (h HashType) String() string {
	if h == HashRjenkins1 {
		return "rjenkins1"
	}
	return "unknown"
}

// RuleOp is a rule step's operation (CRUSH_RULE_*).
type RuleOp uint32

const (
	OpNoop                        RuleOp = 0
	OpTake                        RuleOp = 1
	OpChooseFirstN                RuleOp = 2
	OpChooseIndep                 RuleOp = 3
	OpEmit                        RuleOp = 4
	OpChooseLeafFirstN            RuleOp = 6
	OpChooseLeafIndep             RuleOp = 7
	OpSetChooseTries              RuleOp = 8
	OpSetChooseLeafTries          RuleOp = 9
	OpSetChooseLocalTries         RuleOp = 10
	OpSetChooseLocalFallbackTries RuleOp = 11
	OpSetChooseLeafVaryR          RuleOp = 12
	OpSetChooseLeafStable         RuleOp = 13
)

var ruleOpNames = map[RuleOp]string{
	OpNoop:                        "noop",
	OpTake:                        "take",
	OpChooseFirstN:                "choose_firstn",
	OpChooseIndep:                 "choose_indep",
	OpEmit:                        "emit",
	OpChooseLeafFirstN:            "chooseleaf_firstn",
	OpChooseLeafIndep:             "chooseleaf_indep",
	OpSetChooseTries:              "set_choose_tries",
	OpSetChooseLeafTries:          "set_chooseleaf_tries",
	OpSetChooseLocalTries:         "set_choose_local_tries",
	OpSetChooseLocalFallbackTries: "set_choose_local_fallback_tries",
	OpSetChooseLeafVaryR:          "set_chooseleaf_vary_r",
	OpSetChooseLeafStable:         "set_chooseleaf_stable",
}

// String returns the op name CrushWrapper::dump_rule prints.
func (o RuleOp) String() string {
	if s, ok := ruleOpNames[o]; ok {
		return s
	}
	return fmt.Sprintf("op%d", uint32(o))
}

// RuleType is a rule's pool type (CEPH_PG_TYPE_* / crush rule "type").
type RuleType uint8

const (
	RuleReplicated RuleType = 1
	RuleErasure    RuleType = 3
)

func (t RuleType) String() string {
	switch t {
	case RuleReplicated:
		return "replicated"
	case RuleErasure:
		return "erasure"
	}
	return fmt.Sprintf("%d", uint8(t))
}

// Bucket is one interior node of the hierarchy (struct crush_bucket and its
// per-algorithm extensions). Weights are 16.16 fixed point.
type Bucket struct {
	ID     int32
	Type   uint16
	Alg    BucketAlg
	Hash   HashType
	Weight uint32
	Items  []int32

	// ItemWeight is the single weight of every item of a uniform bucket.
	ItemWeight uint32
	// ItemWeights has one weight per item for list, straw and straw2.
	ItemWeights []uint32
	// SumWeights (list) is the running sum of ItemWeights.
	SumWeights []uint32
	// NumNodes and NodeWeights describe a tree bucket's implicit binary tree.
	NumNodes    uint8
	NodeWeights []uint32
	// Straws (straw) are the precomputed straw lengths.
	Straws []uint32
}

// Size is the number of items.
func (b *Bucket) Size() int { return len(b.Items) }

// ItemWeightAt returns the weight of the item at pos
// (crush_get_bucket_item_weight).
func (b *Bucket) ItemWeightAt(pos int) uint32 {
	if pos < 0 || pos >= len(b.Items) {
		return 0
	}
	switch b.Alg {
	case BucketUniform:
		return b.ItemWeight
	case BucketList, BucketStraw, BucketStraw2:
		return b.ItemWeights[pos]
	case BucketTree:
		return b.NodeWeights[treeNode(pos)]
	}
	return 0
}

// Step is one rule step (struct crush_rule_step).
type Step struct {
	Op   RuleOp
	Arg1 int32
	Arg2 int32
}

// Rule is a placement rule (struct crush_rule). Ruleset, MinSize and MaxSize
// are the legacy crush_rule_mask fields, kept so re-encoding is exact.
type Rule struct {
	Ruleset uint8
	Type    RuleType
	MinSize uint8
	MaxSize uint8
	Steps   []Step
}

// Tunables are the map-wide algorithm parameters (struct crush_map).
type Tunables struct {
	ChooseLocalTries         uint32
	ChooseLocalFallbackTries uint32
	ChooseTotalTries         uint32
	ChooseLeafDescendOnce    uint32
	ChooseLeafVaryR          uint8
	StrawCalcVersion         uint8
	AllowedBucketAlgs        uint32
	ChooseLeafStable         uint8
}

// Allowed-algorithm masks (CRUSH_LEGACY_ALLOWED_BUCKET_ALGS and the
// Hammer-and-later default).
const (
	LegacyAllowedBucketAlgs  = 1<<BucketUniform | 1<<BucketList | 1<<BucketStraw
	DefaultAllowedBucketAlgs = LegacyAllowedBucketAlgs | 1<<BucketStraw2
)

// LegacyTunables is what CrushWrapper::set_tunables_legacy sets: the values a
// decoder assumes when an old encoding stops before the tunables.
func LegacyTunables() Tunables {
	return Tunables{
		ChooseLocalTries:         2,
		ChooseLocalFallbackTries: 5,
		ChooseTotalTries:         19,
		ChooseLeafDescendOnce:    0,
		ChooseLeafVaryR:          0,
		ChooseLeafStable:         0,
		StrawCalcVersion:         0,
		AllowedBucketAlgs:        LegacyAllowedBucketAlgs,
	}
}

// OptimalTunables is set_tunables_optimal (the jewel profile), what a new
// Pacific cluster uses.
func OptimalTunables() Tunables {
	return Tunables{
		ChooseLocalTries:         0,
		ChooseLocalFallbackTries: 0,
		ChooseTotalTries:         50,
		ChooseLeafDescendOnce:    1,
		ChooseLeafVaryR:          1,
		ChooseLeafStable:         1,
		StrawCalcVersion:         1,
		AllowedBucketAlgs:        DefaultAllowedBucketAlgs,
	}
}

// ChooseArg overrides a straw2 bucket's weights (one weight vector per
// result position) and/or the ids its items hash with (struct
// crush_choose_arg).
type ChooseArg struct {
	WeightSet [][]uint32
	IDs       []int32
}

func (a ChooseArg) empty() bool { return len(a.WeightSet) == 0 && len(a.IDs) == 0 }

// ChooseArgMap holds the ChooseArgs of one choose_args set, keyed by bucket
// index (-1-bucket id).
type ChooseArgMap map[int32]ChooseArg

// DefaultChooseArgs is the choose_args key used when a pool has no set of its
// own (CrushWrapper::DEFAULT_CHOOSE_ARGS).
const DefaultChooseArgs int64 = -1

// CrushMap is a crush map as CrushWrapper holds it.
type CrushMap struct {
	// Buckets is indexed by -1-id; nil entries are unused ids. Its length
	// is max_buckets.
	Buckets []*Bucket
	// Rules is indexed by rule id; nil entries are unused. Its length is
	// max_rules.
	Rules      []*Rule
	MaxDevices int32

	TypeNames map[int32]string // type id -> name
	ItemNames map[int32]string // device or bucket id -> name
	RuleNames map[int32]string // rule id -> name

	Tunables Tunables

	// Device classes: ClassMap maps a device (or shadow bucket) to its
	// class id, ClassNames names the classes, ClassBucket maps a bucket id
	// and class id to the id of its shadow bucket for that class.
	ClassMap    map[int32]int32
	ClassNames  map[int32]string
	ClassBucket map[int32]map[int32]int32

	// ChooseArgs are the weight-set overrides, keyed by pool id or
	// DefaultChooseArgs.
	ChooseArgs map[int64]ChooseArgMap
}

// New returns an empty map with optimal tunables, as CrushWrapper::create
// followed by set_tunables_default does.
func New() *CrushMap {
	return &CrushMap{
		TypeNames:   map[int32]string{},
		ItemNames:   map[int32]string{},
		RuleNames:   map[int32]string{},
		Tunables:    OptimalTunables(),
		ClassMap:    map[int32]int32{},
		ClassNames:  map[int32]string{},
		ClassBucket: map[int32]map[int32]int32{},
		ChooseArgs:  map[int64]ChooseArgMap{},
	}
}

// Bucket returns the bucket with the given id, or nil.
func (m *CrushMap) Bucket(id int32) *Bucket {
	if id >= 0 {
		return nil
	}
	i := int(-1 - int64(id))
	if i >= len(m.Buckets) {
		return nil
	}
	return m.Buckets[i]
}

// treeNode is crush_calc_tree_node: the node index of the i-th leaf.
func treeNode(i int) int { return ((i + 1) << 1) - 1 }

// GetSteps returns the rule's steps; nil for a nil rule.
func (r *Rule) GetSteps() []Step {
	if r == nil {
		return nil
	}
	return r.Steps
}
