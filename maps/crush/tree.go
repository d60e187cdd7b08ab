package crush

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// The hierarchy walk behind `ceph osd tree` and `ceph osd crush tree`
// (src/crush/CrushTreeDumper.h) and Ceph's TextTable for the plain form.
// The OSD columns (status, reweight, primary affinity) belong to the
// OSDMap; callers supply them through callbacks.

// TreeItem is one node of the walk (CrushTreeDumper::Item).
type TreeItem struct {
	ID     int32
	Parent int32 // 0 for a root
	Depth  int
	// Weight is the item's crush weight in its parent (for a root, its
	// own), as a float the way get_bucket_item_weightf gives it.
	Weight   float32
	Children []int32
}

// IsBucket reports whether the item is a bucket.
func (it TreeItem) IsBucket() bool { return it.ID < 0 }

// Tree walks the hierarchy depth first from each root in ascending id
// order, listing each bucket's children sorted by (class, name) as
// CrushTreeDumper::Dumper::next does. Shadow trees are included only when
// showShadow is set. filter, if not nil, hides items (should_dump).
func (m *CrushMap) Tree(showShadow bool, filter func(id int32) bool) []TreeItem {
	var roots []int32
	if showShadow {
		roots = m.Roots()
	} else {
		roots = m.rootsShadow(false)
	}
	dump := func(id int32) bool { return filter == nil || filter(id) }
	var out []TreeItem
	var stack []TreeItem
	for _, r := range roots {
		if !dump(r) {
			continue
		}
		stack = append(stack[:0], TreeItem{ID: r, Weight: float32(m.Bucket(r).Weight) / 0x10000})
		for len(stack) > 0 {
			it := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if b := m.Bucket(it.ID); b != nil {
				type child struct {
					key string
					id  int32
					w   float32
				}
				byKey := map[string]child{}
				for k := len(b.Items) - 1; k >= 0; k-- {
					id := b.Items[k]
					if !dump(id) {
						continue
					}
					var key string
					if id >= 0 {
						c, _ := m.ItemClass(id)
						key = c + "_" + fmt.Sprintf("osd.%08d", id)
					} else {
						key = "_" + m.ItemNames[id]
					}
					byKey[key] = child{key, id, float32(b.ItemWeightAt(k)) / 0x10000}
				}
				keys := slices.Sorted(maps.Keys(byKey))
				// Children are listed in descending key order but
				// visited in ascending order.
				for i := len(keys) - 1; i >= 0; i-- {
					it.Children = append(it.Children, byKey[keys[i]].id)
				}
				for i := len(keys) - 1; i >= 0; i-- {
					c := byKey[keys[i]]
					stack = append(stack, TreeItem{ID: c.id, Parent: it.ID, Depth: it.Depth + 1, Weight: c.w})
				}
			}
			out = append(out, it)
		}
	}
	return out
}

// TreeItemFields is CrushTreeDumper::dump_item_fields: the crush part of a
// node of `ceph osd tree -f json`. weightSetNames names choose_args sets
// for pool_weights (DefaultChooseArgs is "(compat)"); nil means none.
func (m *CrushMap) TreeItemFields(it TreeItem, weightSetNames map[int64]string) *Object {
	o := NewObject().Set("id", it.ID)
	if c, ok := m.ItemClass(it.ID); ok {
		o.Set("device_class", c)
	}
	if it.IsBucket() {
		b := m.Bucket(it.ID)
		o.Set("name", m.ItemNames[it.ID])
		o.Set("type", m.TypeNames[int32(b.Type)])
		o.Set("type_id", int(b.Type))
	} else {
		o.Set("name", fmt.Sprintf("osd.%d", it.ID))
		o.Set("type", m.TypeNames[0])
		o.Set("type_id", 0)
		o.Set("crush_weight", Float(it.Weight))
		o.Set("depth", it.Depth)
	}
	if it.Parent < 0 {
		pw := NewObject()
		pb := m.Bucket(it.Parent)
		for _, key := range slices.Sorted(maps.Keys(m.ChooseArgs)) {
			a, ok := m.ChooseArgs[key][-1-it.Parent]
			if pb == nil || !ok || len(a.WeightSet) == 0 {
				continue
			}
			pos := 0
			for pos < len(a.WeightSet[0]) && pos < len(pb.Items) && pb.Items[pos] != it.ID {
				pos++
			}
			name := strconv.FormatInt(key, 10)
			if key == DefaultChooseArgs {
				name = "(compat)"
			} else if n, ok := weightSetNames[key]; ok {
				name = n
			}
			at := func(ws []uint32) Float {
				if pos < len(ws) {
					return Float(float32(ws[pos]) / 0x10000)
				}
				return 0
			}
			// Pacific lists the weights even for a single position.
			l := []any{}
			for _, ws := range a.WeightSet {
				l = append(l, at(ws))
			}
			pw.Set(name, l)
		}
		o.Set("pool_weights", pw)
	}
	return o
}

// TreeNodes renders Tree as the "nodes" array of `ceph osd tree -f json`.
// deviceFields, if not nil, appends the OSDMap's fields (exists, status,
// reweight, primary_affinity) to each device node.
func (m *CrushMap) TreeNodes(showShadow bool, filter func(int32) bool, deviceFields func(o *Object, id int32)) []any {
	nodes := []any{}
	for _, it := range m.Tree(showShadow, filter) {
		o := m.TreeItemFields(it, nil)
		if !it.IsBucket() && deviceFields != nil {
			deviceFields(o, it.ID)
		}
		if it.IsBucket() {
			ch := it.Children
			if ch == nil {
				ch = []int32{}
			}
			o.Set("children", ch)
		}
		nodes = append(nodes, o)
	}
	return nodes
}

// TreePlain renders `ceph osd tree` as OSDMap::print_tree's TextTable:
// ID, CLASS, WEIGHT and TYPE NAME from the crush map, then the extra
// columns, filled for devices by deviceCells and left empty for buckets.
func (m *CrushMap) TreePlain(showShadow bool, filter func(int32) bool, extraHeads []string, deviceCells func(id int32) []string) string {
	t := NewTextTable()
	t.DefineColumn("ID", AlignLeft, AlignRight)
	t.DefineColumn("CLASS", AlignLeft, AlignRight)
	t.DefineColumn("WEIGHT", AlignLeft, AlignRight)
	t.DefineColumn("TYPE NAME", AlignLeft, AlignLeft)
	for _, h := range extraHeads {
		t.DefineColumn(h, AlignLeft, AlignRight)
	}
	for _, it := range m.Tree(showShadow, filter) {
		c, _ := m.ItemClass(it.ID)
		name := strings.Repeat("    ", it.Depth)
		if it.IsBucket() {
			name += m.TypeNames[int32(m.Bucket(it.ID).Type)] + " " + m.ItemNames[it.ID]
		} else {
			name += fmt.Sprintf("osd.%d", it.ID)
		}
		row := []string{strconv.Itoa(int(it.ID)), c, WeightString(it.Weight), name}
		var extra []string
		if !it.IsBucket() && deviceCells != nil {
			extra = deviceCells(it.ID)
		}
		for i := range extraHeads {
			if i < len(extra) {
				row = append(row, extra[i])
			} else {
				row = append(row, "")
			}
		}
		t.AddRow(row...)
	}
	return t.String()
}

// WeightString formats a weight as Ceph's weightf_t: "-" for negative,
// "0" for (nearly) zero, else five decimals.
func WeightString(w float32) string {
	switch {
	case w < -0.01:
		return "-"
	case w < 0.000001:
		return "0"
	}
	return strconv.FormatFloat(float64(w), 'f', 5, 32)
}

// Align is a TextTable alignment.
type Align int

const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// TextTable is Ceph's src/common/TextTable: columns padded to their widest
// cell, separated by two spaces.
type TextTable struct {
	heads  []string
	hAlign []Align
	cAlign []Align
	rows   [][]string
}

// NewTextTable returns an empty table.
func NewTextTable() *TextTable { return &TextTable{} }

// DefineColumn adds a column with its heading and cell alignments.
func (t *TextTable) DefineColumn(heading string, headAlign, cellAlign Align) {
	t.heads = append(t.heads, heading)
	t.hAlign = append(t.hAlign, headAlign)
	t.cAlign = append(t.cAlign, cellAlign)
}

// AddRow appends a row; missing cells are empty.
func (t *TextTable) AddRow(cells ...string) { t.rows = append(t.rows, cells) }

func pad(s string, w int, a Align) string {
	n := w - len(s)
	if n <= 0 {
		return s
	}
	switch a {
	case AlignRight:
		return strings.Repeat(" ", n) + s
	case AlignCenter:
		l := n / 2
		return strings.Repeat(" ", l) + s + strings.Repeat(" ", n-l)
	}
	return s + strings.Repeat(" ", n)
}

// String renders the heading line and every row, each ending in "\n".
func (t *TextTable) String() string {
	widths := make([]int, len(t.heads))
	for i, h := range t.heads {
		widths[i] = len(h)
	}
	for _, r := range t.rows {
		for i := range widths {
			if i < len(r) && len(r[i]) > widths[i] {
				widths[i] = len(r[i])
			}
		}
	}
	var sb strings.Builder
	line := func(cells []string, align []Align) {
		for i := range widths {
			if i > 0 {
				sb.WriteString("  ")
			}
			c := ""
			if i < len(cells) {
				c = cells[i]
			}
			sb.WriteString(pad(c, widths[i], align[i]))
		}
		sb.WriteByte('\n')
	}
	line(t.heads, t.hAlign)
	for _, r := range t.rows {
		line(r, t.cAlign)
	}
	return sb.String()
}

// weightSetColumns names the choose_args sets as tree columns: "(compat)"
// for DefaultChooseArgs, else weightSetNames[key] or the key.
func (m *CrushMap) weightSetColumns(weightSetNames map[int64]string) ([]int64, []string) {
	keys := sortedKeys64(m.ChooseArgs)
	names := make([]string, len(keys))
	for i, k := range keys {
		switch n, ok := weightSetNames[k]; {
		case k == DefaultChooseArgs:
			names[i] = "(compat)"
		case ok:
			names[i] = n
		default:
			names[i] = strconv.FormatInt(k, 10)
		}
	}
	return keys, names
}

// CrushTreePlain is CrushWrapper::dump_tree's plain form (`ceph osd crush
// tree`, `crushtool --tree`): ID, CLASS, WEIGHT, one column per weight set
// (the item's position-0 weight in its parent), TYPE NAME.
func (m *CrushMap) CrushTreePlain(showShadow bool, weightSetNames map[int64]string) string {
	t := NewTextTable()
	t.DefineColumn("ID", AlignLeft, AlignRight)
	t.DefineColumn("CLASS", AlignLeft, AlignRight)
	t.DefineColumn("WEIGHT", AlignLeft, AlignRight)
	keys, names := m.weightSetColumns(weightSetNames)
	for _, n := range names {
		t.DefineColumn(n, AlignLeft, AlignRight)
	}
	t.DefineColumn("TYPE NAME", AlignLeft, AlignLeft)
	for _, it := range m.Tree(showShadow, nil) {
		c, _ := m.ItemClass(it.ID)
		row := []string{strconv.Itoa(int(it.ID)), c, WeightString(it.Weight)}
		for _, k := range keys {
			cell := ""
			if pb := m.Bucket(it.Parent); it.Parent < 0 && pb != nil {
				if a := m.ChooseArgs[k][-1-it.Parent]; len(a.WeightSet) > 0 {
					ws := a.WeightSet[0]
					pos := 0
					for pos < len(ws) && pos < len(pb.Items) && pb.Items[pos] != it.ID {
						pos++
					}
					if pos < len(ws) {
						cell = WeightString(float32(ws[pos]) / 0x10000)
					}
				}
			}
			row = append(row, cell)
		}
		name := strings.Repeat("    ", it.Depth)
		if it.IsBucket() {
			name += m.TypeNames[int32(m.Bucket(it.ID).Type)] + " " + m.ItemNames[it.ID]
		} else {
			name += fmt.Sprintf("osd.%d", it.ID)
		}
		t.AddRow(append(row, name)...)
	}
	return t.String()
}

// CrushTreeJSON is CrushWrapper::dump_tree's formatted form (`ceph osd
// crush tree -f json`): the nodes, then "stray" devices that have a name
// but sit in no bucket.
func (m *CrushMap) CrushTreeJSON(showShadow bool, weightSetNames map[int64]string) *Object {
	items := m.Tree(showShadow, nil)
	touched := map[int32]bool{}
	nodes := []any{}
	for _, it := range items {
		touched[it.ID] = true
		o := m.TreeItemFields(it, weightSetNames)
		if it.IsBucket() {
			ch := it.Children
			if ch == nil {
				ch = []int32{}
			}
			o.Set("children", ch)
		}
		nodes = append(nodes, o)
	}
	stray := []any{}
	maxID := int32(-1)
	for id := range m.ItemNames {
		maxID = max(maxID, id)
	}
	for i := int32(0); i <= maxID; i++ {
		if m.ItemExists(i) && !touched[i] {
			stray = append(stray, m.TreeItemFields(TreeItem{ID: i}, weightSetNames))
		}
	}
	return NewObject().Set("nodes", nodes).Set("stray", stray)
}
