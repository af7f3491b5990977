package sandbox

import "github.com/oppwa-conformance/oppwa-conformance/sandbox/wire"

// The reply document and the amount format live in package wire, below the core and
// the modes; these names keep the core's code short.
type (
	document = wire.Document
	field    = wire.Field
)

var (
	formatAmount = wire.FormatAmount
	parseAmount  = wire.ParseAmount
	mapObjects   = wire.MapObjects
)
