#!/usr/bin/env bash
# Regenerates the crushtool-made golden files in this directory.
# Needs crushtool from Ceph 16.2.15 (Debian package ceph-base / ceph-common).
# Run from anywhere: bash maps/crush/testdata/gen.sh
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p bin mappings
rm -f bin/*.bin mappings/*.gz

# Hand-written text maps.
for f in src/*.txt; do
  n=$(basename "$f" .txt)
  crushtool -c "$f" -o "bin/$n.bin"
done

# Generated maps: 10, 1000 and 10000 devices.
crushtool --build --num_osds 10 host straw2 2 root straw2 0 -o bin/build10.bin >/dev/null
crushtool --build --num_osds 1000 host straw2 10 rack straw2 10 root straw2 0 -o bin/build1000.bin >/dev/null
crushtool --build --num_osds 10000 host straw2 20 rack straw2 25 root straw2 0 -o bin/build10000.bin >/dev/null
# Every bucket algorithm at scale (uniform hosts need equal weights).
crushtool --build --num_osds 240 host uniform 4 rack list 3 row tree 4 pod straw 0 -o bin/buildmixed.bin >/dev/null

# mappings/NAME.rRULE.nNUMREP[.wTAG].txt.gz: crushtool --test --show-mappings
# for x in 0..1023. TAG names a set of --weight overrides (see weights()).
weights() {
  case "$1" in
    w1) echo "--weight 3 0 --weight 5 0.5 --weight 17 0.2 --weight 0 0.9" ;;
    w2) echo "--weight 1 0 --weight 2 0 --weight 10 0.01 --weight 11 0.7" ;;
  esac
}
record() { # map rule numrep [weighttag]
  local map=$1 rule=$2 rep=$3 tag=${4:-} out
  out="mappings/$map.r$rule.n$rep${tag:+.$tag}.txt"
  # shellcheck disable=SC2046
  crushtool -i "bin/$map.bin" --test --show-mappings --min-x 0 --max-x 1023 \
    --rule "$rule" --num-rep "$rep" $(weights "$tag") >"$out" 2>&1
  gzip -9n "$out"
}
for r in 0 1 2 3 4 5; do for n in 1 3 6; do record algs $r $n; done; done
record algs 0 3 w1; record algs 1 6 w1; record algs 3 4 w2
for r in 0 2 3 4; do for n in 2 3 5; do record legacy $r $n; done; done
record legacy 0 3 w2; record legacy 2 3 w2; record legacy 4 4 w2
for r in 0 1 2 3; do for n in 3 4; do record classes $r $n; done; done
for r in 0 1; do for n in 2 3 4; do record choose_args $r $n; done; done
record build10 0 3; record build10 0 3 w1
record build1000 0 3; record build1000 0 3 w1; record build1000 0 5 w2
record build10000 0 3
record buildmixed 0 3; record buildmixed 0 4 w1
for m in 00-boot 03-set 06-rule 09-rule2; do
  cp "mon/$m.bin" "bin/mon-$m.bin"
done
record mon-09-rule2 0 3; record mon-09-rule2 1 2; record mon-09-rule2 2 2

# Maps modified by crushtool's CrushWrapper helpers (mod-*.bin), replayed
# by TestCrushtoolModifications through kelp's helpers.
crushtool -i bin/algs.bin --add-item 20 1.5 osd.20 --loc host h-straw --loc rack r3 --loc root default -o bin/mod-add-straw.bin >/dev/null
crushtool -i bin/algs.bin --add-item 21 0.75 osd.21 --loc host h-tree -o bin/mod-add-tree.bin >/dev/null
crushtool -i bin/algs.bin --add-item 22 0.75 osd.22 --loc host h-list -o bin/mod-add-list.bin >/dev/null
crushtool -i bin/algs.bin --add-item 23 2 osd.23 --loc host h-new --loc rack r2 -o bin/mod-add-newhost.bin >/dev/null
crushtool -i bin/algs.bin --reweight-item osd.13 3.0 -o bin/mod-reweight-straw.bin >/dev/null
crushtool -i bin/algs.bin --reweight-item osd.10 1.25 -o bin/mod-reweight-tree.bin >/dev/null
crushtool -i bin/algs.bin --reweight-item osd.5 0.125 -o bin/mod-reweight-list.bin >/dev/null
crushtool -i bin/legacy.bin --reweight-item osd.1 2.5 -o bin/mod-reweight-legacy.bin >/dev/null
crushtool -i bin/algs.bin --remove-item osd.9 -o bin/mod-remove-tree.bin >/dev/null
crushtool -i bin/algs.bin --remove-item osd.14 -o bin/mod-remove-straw.bin >/dev/null
crushtool -i bin/algs.bin --remove-item osd.4 -o bin/mod-remove-list.bin >/dev/null
crushtool -i bin/algs.bin --reweight -o bin/mod-reweight-all.bin >/dev/null
crushtool -i bin/classes.bin --reweight-item osd.4 2.0 -o bin/mod-classes-reweight.bin >/dev/null
# A class renamed (what `osd crush class rename ssd flash` does): the same
# text map with the class spelled differently keeps every id.
sed 's/\bssd\b/flash/g' src/classes.txt >bin/classes-flash.txt
crushtool -c bin/classes-flash.txt -o bin/mod-classes-rename.bin
rm bin/classes-flash.txt
crushtool -i bin/classes.bin --add-item 9 1.0 osd.9 --loc host n4 --loc root default -o bin/mod-classes-add.bin >/dev/null

# dumps/NAME.json: crushtool --dump (json-pretty), CrushWrapper::dump.
mkdir -p dumps
rm -f dumps/*.json
for f in bin/*.bin; do
  n=$(basename "$f" .bin)
  case "$n" in build1000|build10000) continue ;; esac
  crushtool -i "$f" --dump >"dumps/$n.json"
done

# trees/NAME.txt: crushtool --tree (CrushWrapper::dump_tree, shadow trees
# and weight-set columns included).
mkdir -p trees
rm -f trees/*.txt
for f in bin/*.bin; do
  n=$(basename "$f" .bin)
  case "$n" in build1000|build10000) continue ;; esac
  crushtool -i "$f" --tree >"trees/$n.txt"
done
