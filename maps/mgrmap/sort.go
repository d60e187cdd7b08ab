package mgrmap

import (
	"cmp"
	"slices"
)

func sortStrings(s []string) { slices.Sort(s) }

// sortClients orders clients as a std::multimap by name does, keeping the
// order of equal names.
func sortClients(c []Client) {
	slices.SortStableFunc(c, func(a, b Client) int { return cmp.Compare(a.Name, b.Name) })
}
