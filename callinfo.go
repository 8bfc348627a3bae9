package passengine

import "context"

// CallInfo reports how the Engine answered one call, beside its result:
// whether an idempotent call was answered from its stored result. A
// replayed result is equal to the first one (I1), field for field and in
// its JSON, so the result itself cannot say it; a host that answers 201 to
// a first write and 200 to a replay reads it here.
type CallInfo struct {
	// Replayed is true when the call's key had been seen with the same
	// request and the stored result (or its *ErasedError) was returned
	// without doing the call again. It is false for a first call and for a
	// call refused before its key was looked up (bad input).
	Replayed bool
	// Retries is how many times the call's unit of work was run again
	// after the store reported a conflict (0 for most calls).
	Retries int
}

type callInfoKey struct{}

// WithCallInfo returns a context that makes the Engine's call made with it
// fill in info. The Engine writes info only from the goroutine of the call
// and before the call returns, so a host reads it after the call: make a
// CallInfo per call, never share one between concurrent calls.
func WithCallInfo(ctx context.Context, info *CallInfo) context.Context {
	return context.WithValue(ctx, callInfoKey{}, info)
}

// callInfo returns the CallInfo ctx carries, or nil.
func callInfo(ctx context.Context) *CallInfo {
	info, _ := ctx.Value(callInfoKey{}).(*CallInfo)
	return info
}
