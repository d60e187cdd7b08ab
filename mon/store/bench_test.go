package store

import (
	"fmt"
	"path/filepath"
	"testing"
)

func benchTx(i int) *Transaction {
	tx := NewTransaction()
	tx.Put("osdmap", fmt.Sprint(i), make([]byte, 4096))
	tx.PutU64("osdmap", "last_committed", uint64(i))
	return tx
}

// BenchmarkLevelDBApply: one synced transaction per op (a Paxos commit).
func BenchmarkLevelDBApply(b *testing.B) {
	s, err := OpenLevelDB(filepath.Join(b.TempDir(), "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := s.Apply(benchTx(i)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTransactionRoundTrip(b *testing.B) {
	tx := benchTx(1)
	b.SetBytes(int64(len(tx.Marshal())))
	for b.Loop() {
		if _, err := UnmarshalTransaction(tx.Marshal()); err != nil {
			b.Fatal(err)
		}
	}
}
