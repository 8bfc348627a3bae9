package passengine

// The idempotency fingerprints of the card and holder calls (RULES I1,
// I4), written like those of fingerprint.go: the normalized request, each
// field length-prefixed, hashed; Actor and Comment are not part of them.

// normalized returns r with its status defaulted.
func (r IssueCardRequest) normalized() IssueCardRequest {
	if r.Status == "" {
		r.Status = "not_installed"
	}
	return r
}

// fingerprint of an IssueCard: Card empty (a new ID) is part of it, so a
// retry with the key returns the card made by the first call.
func (r IssueCardRequest) fingerprint(op string) [fpLen]byte {
	r = r.normalized()
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).str(r.Program).str(r.Card).str(string(r.Status)).date(r.ExpiresOn).sum()
}

func (r VisitsRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	b := fpStart(a[:0], op).str(r.Card).int(r.Visits).money(r.Amount).bool(r.Referral).bool(r.Redeemed)
	if r.PayFromAccount { // W2; written only when set, as IssueRequest's
		b = b.bool(true)
	}
	return b.sum()
}

func (r BonusRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Card).int(r.Points).money(r.Amount).sum()
}

func (r CardStatusRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Card).str(string(r.Status)).sum()
}

func (r CardExpiryRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Card).date(r.ExpiresOn).sum()
}

func (r DeleteHolderRequest) fingerprint(op string) [fpLen]byte {
	var a [256]byte
	return fpStart(a[:0], op).str(r.Holder).sum()
}
