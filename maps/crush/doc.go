// Package crush is Ceph's CRUSH map and mapper, byte- and bit-exact with
// Ceph 16.2 (Pacific):
//
//   - the map and its binary encoding (src/crush/CrushWrapper.cc
//     encode/decode): Decode, DecodeFrom, (*CrushMap).Encode(features);
//   - placement (src/crush/mapper.c crush_do_rule with every bucket
//     algorithm, firstn/indep, chooseleaf, all tunables and set_* steps,
//     choose_args weight sets): (*CrushMap).DoRule, or a reusable Mapper;
//     FindRule and ChooseArgsFor as an OSDMap needs them; the object-name
//     hashes StrHash/StableMod and the crush hashes Hash32_*;
//   - the monitor's `osd crush` operations (builder.c and CrushWrapper):
//     BuildSimple (a new cluster's map), AddBucket, InsertItem,
//     CreateOrMoveItem, UpdateItem, MoveBucket, LinkBucket, RemoveItem,
//     RemoveItemUnder, AdjustItemWeight, Reweight, UpdateDeviceClass,
//     RemoveDeviceClass (with the "name~class" shadow trees rebuilt as
//     Ceph does), AddSimpleRule, RemoveRule, SetTunablesProfile, SetTunable,
//     RenameBucket, CreateChooseArgs, ChooseArgsAdjustItemWeight, name and
//     id lookups; weight sets (choose_args) are kept in step with every
//     change as CrushWrapper keeps them;
//   - output: Dump/DumpRule/DumpTunables (`ceph osd crush dump`), Tree,
//     TreeNodes, TreePlain and TextTable (`ceph osd tree`), as ordered JSON
//     values (Object, Float) that encoding/json renders like Ceph's
//     JSONFormatter.
//
// A CrushMap is plain data. Mutate it only through the helpers, which keep
// weights, derived bucket arrays and shadow trees consistent; Encode and
// DoRule never modify it. Weights are 16.16 fixed point (0x10000 = 1.0);
// WeightFixed converts a CLI float the way Ceph does.
//
// testdata/README.md lists the golden files (crushtool and a real
// ceph-mon) that the tests compare against; interop-tagged tests run
// crushtool and ceph-mon live.
package crush
