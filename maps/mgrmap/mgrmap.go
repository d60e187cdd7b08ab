// Package mgrmap implements Ceph's MgrMap (src/mon/MgrMap.h and
// src/mon/MgrMap.cc) as Ceph 16.2 (Pacific) encodes it: struct_v 12 for
// nautilus and later peers.
package mgrmap

import (
	"fmt"

	"github.com/kelp-ceph/kelp/encoding"
)

// ModuleOption is MgrMap::ModuleOption: one option a manager module
// declares.
type ModuleOption struct {
	Name         string
	Type         uint8 // Option::type_t
	Level        uint8 // Option::level_t
	Flags        uint32
	DefaultValue string
	Min, Max     string
	EnumAllowed  []string // a std::set, kept sorted
	Desc         string
	LongDesc     string
	Tags         []string // a std::set, kept sorted
	SeeAlso      []string // a std::set, kept sorted
}

// ModuleInfo is MgrMap::ModuleInfo: a module a manager can run.
type ModuleInfo struct {
	Name          string
	CanRun        bool
	ErrorString   string
	ModuleOptions map[string]ModuleOption
}

// StandbyInfo is MgrMap::StandbyInfo: a standby manager.
type StandbyInfo struct {
	GID              uint64
	Name             string
	AvailableModules []ModuleInfo
	MgrFeatures      uint64
}

// Client is one entry of MgrMap::clients (a multimap kept in order).
type Client struct {
	Name  string
	Addrs encoding.EntityAddrVec
}

// MgrMap is the manager map the monitor's MgrMonitor keeps.
type MgrMap struct {
	Epoch               uint32
	ActiveAddrs         encoding.EntityAddrVec
	ActiveGID           uint64
	Available           bool
	ActiveName          string
	Standbys            map[uint64]StandbyInfo
	Modules             []string // a std::set, kept sorted
	Services            map[string]string
	AvailableModules    []ModuleInfo
	ActiveChange        encoding.UTime
	AlwaysOnModules     map[uint32][]string // release -> set of modules
	ActiveMgrFeatures   uint64
	LastFailureOSDEpoch uint32
	Clients             []Client
	// Flags and ForceDisabledModules exist from struct_v 13 (Quincy and
	// later); Pacific neither writes nor keeps them.
	Flags                uint64
	ForceDisabledModules []string
}

// Version is the MgrMap struct_v Pacific writes for nautilus+ peers.
const Version = 12

func encStrSet(e *encoding.Encoder, s []string) { encoding.Slice(e, s, encoding.EncStr) }
func decStrSet(d *encoding.Decoder) []string    { return encoding.DecodeSlice(d, 4, encoding.DecStr) }

func encodeModuleOption(e *encoding.Encoder, o ModuleOption) {
	m := e.Start(1, 1)
	e.Str(o.Name)
	e.U8(o.Type)
	e.U8(o.Level)
	e.U32(o.Flags)
	e.Str(o.DefaultValue)
	e.Str(o.Min)
	e.Str(o.Max)
	encStrSet(e, o.EnumAllowed)
	e.Str(o.Desc)
	e.Str(o.LongDesc)
	encStrSet(e, o.Tags)
	encStrSet(e, o.SeeAlso)
	e.End(m)
}

func decodeModuleOption(d *encoding.Decoder) ModuleOption {
	var o ModuleOption
	s := d.StartNamed("MgrMap::ModuleOption", 1)
	o.Name = d.Str()
	o.Type = d.U8()
	o.Level = d.U8()
	o.Flags = d.U32()
	o.DefaultValue = d.Str()
	o.Min = d.Str()
	o.Max = d.Str()
	o.EnumAllowed = decStrSet(d)
	o.Desc = d.Str()
	o.LongDesc = d.Str()
	o.Tags = decStrSet(d)
	o.SeeAlso = decStrSet(d)
	d.End(s)
	return o
}

func encodeModuleInfo(e *encoding.Encoder, mi ModuleInfo) {
	m := e.Start(2, 1)
	e.Str(mi.Name)
	e.Bool(mi.CanRun)
	e.Str(mi.ErrorString)
	encoding.Map(e, mi.ModuleOptions, encoding.EncStr, encodeModuleOption)
	e.End(m)
}

func decodeModuleInfo(d *encoding.Decoder) ModuleInfo {
	var mi ModuleInfo
	s := d.StartNamed("MgrMap::ModuleInfo", 2)
	mi.Name = d.Str()
	mi.CanRun = d.Bool()
	mi.ErrorString = d.Str()
	if s.V >= 2 {
		mi.ModuleOptions = encoding.DecodeMap(d, 10, encoding.DecStr, decodeModuleOption)
	}
	d.End(s)
	return mi
}

func moduleNames(ms []ModuleInfo) []string {
	seen := map[string]struct{}{}
	for _, m := range ms {
		seen[m.Name] = struct{}{}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sortStrings(out)
	return out
}

func encodeStandby(e *encoding.Encoder, s StandbyInfo) {
	m := e.Start(4, 1)
	e.U64(s.GID)
	e.Str(s.Name)
	encStrSet(e, moduleNames(s.AvailableModules)) // v2 name list
	encoding.Slice(e, s.AvailableModules, encodeModuleInfo)
	e.U64(s.MgrFeatures)
	e.End(m)
}

func decodeStandby(d *encoding.Decoder) StandbyInfo {
	var si StandbyInfo
	s := d.StartNamed("MgrMap::StandbyInfo", 4)
	si.GID = d.U64()
	si.Name = d.Str()
	if s.V >= 2 {
		names := decStrSet(d)
		if s.V < 3 {
			for _, n := range names {
				si.AvailableModules = append(si.AvailableModules, ModuleInfo{Name: n})
			}
		}
	}
	if s.V >= 3 {
		si.AvailableModules = encoding.DecodeSlice(d, 6, decodeModuleInfo)
	}
	if s.V >= 4 {
		si.MgrFeatures = d.U64()
	}
	d.End(s)
	return si
}

// Encode returns m as MgrMap::encode writes it for peers with features:
// struct_v 12 for nautilus and later, the struct_v 5 form before.
func (m *MgrMap) Encode(features uint64) []byte {
	e := encoding.NewEncoder(nil)
	m.AppendEncode(e, features)
	return e.Bytes()
}

// AppendEncode is Encode appending to e.
func (m *MgrMap) AppendEncode(e *encoding.Encoder, features uint64) {
	if !encoding.HasFeature(features, encoding.FeatureServerNautilus) {
		mk := e.Start(5, 1)
		e.U32(m.Epoch)
		e.EntityAddr(m.ActiveAddrs.Legacy(), features)
		e.U64(m.ActiveGID)
		e.Bool(m.Available)
		e.Str(m.ActiveName)
		encoding.Map(e, m.Standbys, encoding.EncU64, encodeStandby)
		encStrSet(e, m.Modules)
		encStrSet(e, moduleNames(m.AvailableModules))
		encoding.Map(e, m.Services, encoding.EncStr, encoding.EncStr)
		encoding.Slice(e, m.AvailableModules, encodeModuleInfo)
		e.End(mk)
		return
	}
	mk := e.Start(Version, 6)
	e.U32(m.Epoch)
	e.EntityAddrVec(m.ActiveAddrs, features)
	e.U64(m.ActiveGID)
	e.Bool(m.Available)
	e.Str(m.ActiveName)
	encoding.Map(e, m.Standbys, encoding.EncU64, encodeStandby)
	encStrSet(e, m.Modules)
	encoding.Map(e, m.Services, encoding.EncStr, encoding.EncStr)
	encoding.Slice(e, m.AvailableModules, encodeModuleInfo)
	e.UTime(m.ActiveChange)
	encoding.Map(e, m.AlwaysOnModules, encoding.EncU32, encStrSet)
	e.U64(m.ActiveMgrFeatures)
	e.U32(m.LastFailureOSDEpoch)
	e.Count(len(m.Clients))
	for _, c := range m.Clients {
		e.EntityAddrVec(c.Addrs, features)
	}
	e.Count(len(m.Clients))
	for _, c := range m.Clients {
		e.Str(c.Name)
	}
	e.End(mk)
}

// Decode parses an MgrMap of any struct_v from 1 to 14.
func Decode(b []byte) (*MgrMap, error) {
	d := encoding.NewDecoder(b)
	m := decode(d)
	if err := d.Done(); err != nil {
		return nil, fmt.Errorf("mgrmap: %w", err)
	}
	return m, nil
}

func decode(d *encoding.Decoder) *MgrMap {
	m := &MgrMap{}
	s := d.StartNamed("MgrMap", 14)
	m.Epoch = d.U32()
	m.ActiveAddrs = d.EntityAddrVec()
	m.ActiveGID = d.U64()
	m.Available = d.Bool()
	m.ActiveName = d.Str()
	m.Standbys = encoding.DecodeMap(d, 8+6, encoding.DecU64, decodeStandby)
	if s.V >= 2 {
		m.Modules = decStrSet(d)
		if s.V < 6 {
			names := decStrSet(d)
			if s.V < 4 {
				for _, n := range names {
					m.AvailableModules = append(m.AvailableModules, ModuleInfo{Name: n})
				}
			}
		}
	}
	if s.V >= 3 {
		m.Services = encoding.DecodeMap(d, 8, encoding.DecStr, encoding.DecStr)
	}
	if s.V >= 4 {
		m.AvailableModules = encoding.DecodeSlice(d, 6, decodeModuleInfo)
	}
	if s.V >= 7 {
		m.ActiveChange = d.UTime()
	}
	if s.V >= 8 {
		m.AlwaysOnModules = encoding.DecodeMap(d, 8, encoding.DecU32, decStrSet)
	}
	if s.V >= 9 {
		m.ActiveMgrFeatures = d.U64()
	}
	if s.V >= 10 {
		m.LastFailureOSDEpoch = d.U32()
	}
	if s.V >= 11 {
		addrs := encoding.DecodeSlice(d, 5, func(d *encoding.Decoder) encoding.EntityAddrVec { return d.EntityAddrVec() })
		names := make([]string, len(addrs))
		if s.V >= 12 {
			names = decStrSet(d)
			if d.Err() == nil && len(names) != len(addrs) {
				d.Fail(encoding.Malformedf("MgrMap: %d client names for %d client addresses", len(names), len(addrs)))
			}
		}
		if d.Err() == nil {
			for i := range addrs {
				m.Clients = append(m.Clients, Client{Name: names[i], Addrs: addrs[i]})
			}
			sortClients(m.Clients)
		}
	}
	if s.V >= 13 {
		m.Flags = d.U64()
	}
	if s.V >= 14 {
		m.ForceDisabledModules = decStrSet(d)
	}
	d.End(s)
	return m
}
