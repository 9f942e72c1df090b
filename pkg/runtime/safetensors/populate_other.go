//go:build unix && !linux

package safetensors

// populate is Linux's MAP_POPULATE elsewhere: nothing; pages are mapped as
// they are first read.
const populate = 0
