package passengine

// The idempotency fingerprints of the prepaid account requests (RULES I1,
// I4), taken as fingerprint.go takes the others: over what the call does
// (the holder or entry, the amount as a number, the visit), not who did it
// or why (Actor, Comment).

func (r DepositRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).money(r.Amount).sum()
}

func (r SpendRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).money(r.Amount).sum()
}

func (r RefundRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Entry).money(r.Amount).sum()
}

func (r AdjustAccountRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).money(r.Amount).sum()
}

func (r OverdraftRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).money(r.Limit).sum()
}

func (r SettleRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).str(r.Visit).sum()
}
