package osdmap

import (
	"encoding/hex"
	"strconv"
)

func itoa(i int) string    { return strconv.Itoa(i) }
func hexs(b []byte) string { return hex.EncodeToString(b) }
