package entitlement

// RefSelect and RefRank are the selection before packed keys
// (refselect_test.go), exported to the package's external tests.
var (
	RefSelect = refSelect
	RefRank   = refRank
)
