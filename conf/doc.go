// Package conf is Ceph's configuration in Ceph's own dialect: ceph.conf
// files parsed as src/common/ConfUtils.cc parses them, the section search
// order of md_config_t::get_my_sections (mon.a, then mon, then global),
// command-line overrides as ceph_argparse and md_config_t::parse_argv take
// them, metavariable expansion ($cluster, $id, $name, $type, $host, and
// references to other options) as md_config_t::_expand_meta does, and a
// typed table of the options kelp uses with Pacific's (16.2.15) real
// defaults, parsed the way Option::parse_value parses them.
//
// The option table is generated from testdata/options_pacific.json, which
// is the schema a real ceph-mon reports (see testdata/README.md); the
// generator is gen_options.go.
//
// Levels follow Ceph's: a command-line value beats a value from the
// configuration file, which beats the compiled-in default. A value that
// does not parse for its option's type is an error and leaves the option
// at the lower level, as Ceph does (it does not fall back to a later
// section).
package conf

//go:generate go run gen_options.go
