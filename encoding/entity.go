package encoding

import (
	"fmt"
	"strconv"
	"strings"
)

// EntityType is a CEPH_ENTITY_TYPE_* value (src/include/msgr.h).
type EntityType uint32

const (
	EntityMon    EntityType = 0x01
	EntityMDS    EntityType = 0x02
	EntityOSD    EntityType = 0x04
	EntityClient EntityType = 0x08
	EntityMgr    EntityType = 0x10
	EntityAuth   EntityType = 0x20
	EntityAny    EntityType = 0xff
)

var entityTypeNames = map[EntityType]string{
	EntityMon: "mon", EntityMDS: "mds", EntityOSD: "osd", EntityClient: "client",
	EntityMgr: "mgr", EntityAuth: "auth", EntityAny: "any",
}

func (t EntityType) String() string {
	if s, ok := entityTypeNames[t]; ok {
		return s
	}
	return "unknown"
}

// ParseEntityType maps "mon", "osd", ... to the type.
func ParseEntityType(s string) (EntityType, bool) {
	for t, n := range entityTypeNames {
		if n == s {
			return t, true
		}
	}
	return 0, false
}

// EntityName is Ceph's EntityName (src/common/entity_name.h): a type and a
// free-form id, "client.admin", "mon.", "osd.3". On the wire: u32 type,
// string id.
type EntityName struct {
	Type EntityType
	ID   string
}

// ParseEntityName parses "TYPE.ID"; the id may be empty ("mon.").
func ParseEntityName(s string) (EntityName, error) {
	typ, id, ok := strings.Cut(s, ".")
	if !ok {
		return EntityName{}, fmt.Errorf("encoding: entity name %q has no '.'", s)
	}
	t, ok := ParseEntityType(typ)
	if !ok || t == EntityAny {
		return EntityName{}, fmt.Errorf("encoding: entity name %q has an unknown type", s)
	}
	return EntityName{Type: t, ID: id}, nil
}

func (n EntityName) String() string { return n.Type.String() + "." + n.ID }

func (e *Encoder) EntityName(n EntityName) {
	e.U32(uint32(n.Type))
	e.Str(n.ID)
}

func (d *Decoder) EntityName() EntityName {
	return EntityName{Type: EntityType(d.U32()), ID: d.Str()}
}

// EntityNameT is Ceph's entity_name_t (msg_types.h): a type and a number,
// as messages carry their source ("client.4123", "osd.0", "mon.0"). On the
// wire: u8 type, i64 num.
type EntityNameT struct {
	Type EntityType
	Num  int64
}

// EntityNameNew is the num of an entity_name_t not yet assigned (-1).
const EntityNameNew = -1

func (n EntityNameT) String() string {
	if n.Num < 0 {
		return n.Type.String() + ".?"
	}
	return n.Type.String() + "." + strconv.FormatInt(n.Num, 10)
}

func (e *Encoder) EntityNameT(n EntityNameT) {
	e.U8(uint8(n.Type))
	e.I64(n.Num)
}

func (d *Decoder) EntityNameT() EntityNameT {
	return EntityNameT{Type: EntityType(d.U8()), Num: d.I64()}
}
