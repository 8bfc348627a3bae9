package passengine

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/passengine/passengine/billing"
	"github.com/passengine/passengine/checkin"
	"github.com/passengine/passengine/entitlement"
	"github.com/passengine/passengine/field"
	"github.com/passengine/passengine/money"
	"github.com/passengine/passengine/passcode"
	"github.com/passengine/passengine/store"
	"github.com/passengine/passengine/wallet"
)

// This file classifies every error the Engine returns into a stable
// machine code and an HTTP status (ProblemOf), in one place, as RFC 9457
// problem details. ERRORS.md at the root of the module lists the codes.

// Code is the stable machine code of a class of error: a host maps an
// error to it with ProblemOf (or CodeOf) and may show it to clients. A
// code, once published, keeps its meaning; new codes may be added. The
// zero Code is the code of a nil error.
type Code string

// The codes, one per class of error the Engine returns. ERRORS.md lists
// them with their HTTP status, the errors that map to them and their
// extension members.
const (
	// CodeInvalid: bad input (ErrInvalid, a *FieldError); the problem's
	// Field names the field. Status 422.
	CodeInvalid Code = "invalid"
	// CodeCursor: a list was given a cursor it did not return (a
	// *FieldError naming "cursor", or store.ErrCursor): start again from
	// the first page. Status 400.
	CodeCursor Code = "cursor"
	// CodeNotFound: no such network, location, holder, product, pass,
	// visit, card or entry in the network (ErrNotFound). Status 404.
	CodeNotFound Code = "not_found"
	// CodeNoEntitlement: no pass may pay for the use (ErrNoEntitlement,
	// an *entitlement.RefusalError, or a *RedeemError refusing the pass);
	// Reasons says why for each pass. Status 403.
	CodeNoEntitlement Code = "no_entitlement"
	// CodeRefused: a redemption was refused for another cause than the
	// pass (an unknown code, no health declaration; a *RedeemError);
	// Outcome says which. Status 403.
	CodeRefused Code = "refused"
	// CodeLocationLocked: passcode redemption is locked at the location
	// after too many wrong codes (ErrLocationLocked); LockedUntil is when
	// the lock ends. Status 429.
	CodeLocationLocked Code = "location_locked"
	// CodeAlreadyCheckedIn: the holder is checked in at the location
	// (ErrAlreadyCheckedIn); Visit is the open visit. Status 409.
	CodeAlreadyCheckedIn Code = "already_checked_in"
	// CodeNotOpen: the visit is not an open check-in (ErrNotOpen).
	// Status 409.
	CodeNotOpen Code = "not_open"
	// CodeNotBooked: the visit is not a booking awaiting its class
	// (ErrNotBooked). Status 409.
	CodeNotBooked Code = "not_booked"
	// CodeNotMovable: the visit cannot move to another pass
	// (ErrNotMovable). Status 409.
	CodeNotMovable Code = "not_movable"
	// CodeBalance: the change would take a pass's balance below zero
	// (ErrBalance). Status 409.
	CodeBalance Code = "balance"
	// CodeKeyReused: the idempotency key was first used for another
	// request (ErrKeyReused, an *IdempotencyError); Key and Operation
	// name it. Status 409.
	CodeKeyReused Code = "key_reused"
	// CodeErased: the stored result of the idempotency key was erased
	// with its holder (ErrErased, an *ErasedError); Key names it. Status
	// 410.
	CodeErased Code = "erased"
	// CodeExists: a different value exists under the ID and may not be
	// replaced (ErrExists, a *TermsExistError). Status 409.
	CodeExists Code = "exists"
	// CodeCardExists: the holder has a card of the program
	// (ErrCardExists); Card names it. Status 409.
	CodeCardExists Code = "card_exists"
	// CodeCardInstalled: the holder has an installed card and cannot be
	// deleted (ErrCardInstalled); Card names it. Status 409.
	CodeCardInstalled Code = "card_installed"
	// CodeInsufficientFunds: the prepaid account cannot pay the debit
	// (wallet.ErrInsufficientFunds); Amount and Available say how much.
	// Status 402.
	CodeInsufficientFunds Code = "insufficient_funds"
	// CodeRefundTooLarge: the refund is more than what is left to refund
	// of the entry (wallet.ErrRefundTooLarge); Entry names it. Status 409.
	CodeRefundTooLarge Code = "refund_too_large"
	// CodeNoDebt: there is nothing owed to settle (wallet.ErrNoDebt).
	// Status 409.
	CodeNoDebt Code = "no_debt"
	// CodeTermsMissing: a visit names a terms version that is not stored
	// (billing.ErrTermsMissing). Status 409.
	CodeTermsMissing Code = "terms_missing"
	// CodeNoPasscode: the pass carries no passcode (ErrNoPasscode).
	// Status 404.
	CodeNoPasscode Code = "no_passcode"
	// CodeCodesExhausted: no free passcode was found: the network's code
	// space is nearly full (ErrCodesExhausted). Status 503.
	CodeCodesExhausted Code = "codes_exhausted"
	// CodeMisconfigured: the host's passcode key is missing or not the
	// network's (ErrNoCodeKey, ErrCodeKeyMismatch, passcode.ErrSealed).
	// Status 500.
	CodeMisconfigured Code = "misconfigured"
	// CodeConflict: the store kept losing races after the bounded
	// retries (ErrConflict): send the same request again, with the same
	// idempotency key. Status 503.
	CodeConflict Code = "conflict"
	// CodeUnavailable: the call was cancelled, ran out of time or found
	// the store closed (context.Canceled, context.DeadlineExceeded,
	// store.ErrClosed and the adapters' errors wrapping it, such as
	// sqlite.ErrClosed). Status 503.
	CodeUnavailable Code = "unavailable"
	// CodeInternal: any other error: a fault of the store or the host.
	// Its Detail is a fixed text, so no internal message reaches a
	// client; log the error itself. Status 500.
	CodeInternal Code = "internal"
)

// codeInfo is each code's HTTP status and title.
var codeInfo = map[Code]struct {
	status int
	title  string
}{
	CodeInvalid:           {http.StatusUnprocessableEntity, "Invalid input"},
	CodeCursor:            {http.StatusBadRequest, "Unknown cursor"},
	CodeNotFound:          {http.StatusNotFound, "Not found"},
	CodeNoEntitlement:     {http.StatusForbidden, "No pass may pay for this use"},
	CodeRefused:           {http.StatusForbidden, "Redemption refused"},
	CodeLocationLocked:    {http.StatusTooManyRequests, "Redemption locked at this location"},
	CodeAlreadyCheckedIn:  {http.StatusConflict, "Already checked in"},
	CodeNotOpen:           {http.StatusConflict, "Visit is not open"},
	CodeNotBooked:         {http.StatusConflict, "Visit is not a current booking"},
	CodeNotMovable:        {http.StatusConflict, "Visit cannot move to another pass"},
	CodeBalance:           {http.StatusConflict, "Balance would go below zero"},
	CodeKeyReused:         {http.StatusConflict, "Idempotency key reused with a different request"},
	CodeErased:            {http.StatusGone, "Result erased with its holder"},
	CodeExists:            {http.StatusConflict, "Exists with different content"},
	CodeCardExists:        {http.StatusConflict, "Holder has a card of this program"},
	CodeCardInstalled:     {http.StatusConflict, "Holder has an installed card"},
	CodeInsufficientFunds: {http.StatusPaymentRequired, "Insufficient funds"},
	CodeRefundTooLarge:    {http.StatusConflict, "Refund is more than what is left"},
	CodeNoDebt:            {http.StatusConflict, "Nothing is owed"},
	CodeTermsMissing:      {http.StatusConflict, "Terms version missing"},
	CodeNoPasscode:        {http.StatusNotFound, "Pass has no passcode"},
	CodeCodesExhausted:    {http.StatusServiceUnavailable, "No free passcode"},
	CodeMisconfigured:     {http.StatusInternalServerError, "Server misconfigured"},
	CodeConflict:          {http.StatusServiceUnavailable, "Too much contention: retry"},
	CodeUnavailable:       {http.StatusServiceUnavailable, "Unavailable"},
	CodeInternal:          {http.StatusInternalServerError, "Internal error"},
}

// Codes returns every Code, in the order ERRORS.md lists them.
func Codes() []Code {
	return []Code{CodeInvalid, CodeCursor, CodeNotFound, CodeNoEntitlement, CodeRefused,
		CodeLocationLocked, CodeAlreadyCheckedIn, CodeNotOpen, CodeNotBooked, CodeNotMovable,
		CodeBalance, CodeKeyReused, CodeErased, CodeExists, CodeCardExists, CodeCardInstalled,
		CodeInsufficientFunds, CodeRefundTooLarge, CodeNoDebt, CodeTermsMissing, CodeNoPasscode,
		CodeCodesExhausted, CodeMisconfigured, CodeConflict, CodeUnavailable, CodeInternal}
}

// Status returns the code's HTTP status: 0 for the zero Code and for a
// code this version does not know.
func (c Code) Status() int { return codeInfo[c].status }

// Title returns the code's short summary in words, the same for every
// occurrence: "" for the zero Code and for a code this version does not
// know.
func (c Code) Title() string { return codeInfo[c].title }

// TypeURI returns the problem type URI of the code,
// "https://passengine.dev/errors/" followed by the code; "" for the zero
// Code. The URI names the type and need not resolve.
func (c Code) TypeURI() string {
	if c == "" {
		return ""
	}
	return ProblemTypeBase + string(c)
}

// ProblemTypeBase is the prefix of every problem type URI (Code.TypeURI).
const ProblemTypeBase = "https://passengine.dev/errors/"

// ErrExists: a call would replace a stored value that may not change with
// a different one. The error is a *TermsExistError.
var ErrExists = errors.New("exists with different content")

// TermsExistError is returned by PutTerms for a terms version that is
// stored with different content: versions are immutable (Y1), so add a
// new version instead. Storing the same version again is no error. It
// unwraps to ErrExists.
type TermsExistError struct {
	// Network is the ID of the terms' network.
	Network string
	// Location is the ID of the location of the stored version.
	Location string
	// ID is the ID of the version.
	ID string
}

// Error names the version.
func (e *TermsExistError) Error() string {
	return "terms version " + field.Quote(e.ID) + " exists with other content and versions are immutable: add a new version"
}

// Unwrap returns ErrExists.
func (e *TermsExistError) Unwrap() error { return ErrExists }

// Problem is an error as RFC 9457 problem details: the JSON form of every
// error the Engine returns (ProblemOf makes it). Type, Title, Status,
// Detail and Instance are the RFC's members; Code and the members after
// it are extension members, present only where ERRORS.md says they apply
// (omitted when empty). Serve it with the content type
// application/problem+json (ProblemContentType) and Status as the HTTP
// status.
type Problem struct {
	// Type is the URI naming the problem type, ProblemTypeBase + Code.
	Type string `json:"type"`
	// Title is the code's summary in words, the same for every
	// occurrence of the code (Code.Title).
	Title string `json:"title"`
	// Status is the HTTP status for the code (Code.Status).
	Status int `json:"status"`
	// Detail explains this occurrence in words for a person (the error's
	// message; a fixed text for CodeInternal). Clients branch on Code,
	// never on Detail.
	Detail string `json:"detail,omitempty"`
	// Instance is a URI of this occurrence; ProblemOf leaves it "" and a
	// host may set it (the request's path, say).
	Instance string `json:"instance,omitempty"`
	// Code is the stable machine code.
	Code Code `json:"code"`
	// Field is, for CodeInvalid and CodeCursor, the JSON name of the
	// offending field, dotted for a nested field ("product.units").
	Field string `json:"field,omitempty"`
	// Reasons are, for CodeNoEntitlement, why each pass considered was
	// not used (G7); omitted when the holder had no pass to consider.
	Reasons []ProblemReason `json:"reasons,omitempty"`
	// Outcome is, for a refused redemption, the redemption's outcome
	// ("unknown_code", "location_locked", "pass_expired", ...).
	Outcome string `json:"outcome,omitempty"`
	// LockedUntil is, for CodeLocationLocked and for the failed
	// redemption that set the lock, when the location's lock ends (UTC).
	LockedUntil *time.Time `json:"locked_until,omitempty"`
	// Key is, for CodeKeyReused and CodeErased, the idempotency key.
	Key string `json:"key,omitempty"`
	// Operation is, for CodeKeyReused, the operation the key was first
	// used for ("check_in", "issue", ...).
	Operation string `json:"operation,omitempty"`
	// Visit is the ID of the visit: the open visit for
	// CodeAlreadyCheckedIn, the visit a settle named for CodeNoDebt.
	Visit string `json:"visit,omitempty"`
	// Card is, for CodeCardExists and CodeCardInstalled, the ID of the
	// holder's card.
	Card string `json:"card,omitempty"`
	// Entry is, for CodeRefundTooLarge, the ID of the account entry
	// refunded.
	Entry string `json:"entry,omitempty"`
	// Amount is, for CodeInsufficientFunds, the debit asked.
	Amount *money.Money `json:"amount,omitempty"`
	// Available is, for CodeInsufficientFunds, what the account could
	// pay (balance plus overdraft limit); for CodeRefundTooLarge, what is
	// left to refund of the entry.
	Available *money.Money `json:"available,omitempty"`
}

// ProblemReason is one pass's reason in a Problem's Reasons.
type ProblemReason struct {
	// Pass is the ID of the pass; "" when the refusal named none.
	Pass string `json:"pass,omitempty"`
	// Reason is the stable reason code (entitlement.Reason: "expired",
	// "tier_too_low", ...).
	Reason string `json:"reason"`
	// Message is the reason in words for a front desk.
	Message string `json:"message"`
}

// ProblemContentType is the media type of a Problem in JSON (RFC 9457).
const ProblemContentType = "application/problem+json"

// internalDetail is the Detail of CodeInternal: the error's own message
// may name tables, drivers or files, so it stays with the host.
const internalDetail = "an internal error occurred; the server logged it"

// ProblemOf classifies err and returns it as problem details: its stable
// Code, the code's HTTP Status, Title and Type, err's message as Detail
// and the extension members that apply. It is the one place that maps the
// Engine's errors to codes; ERRORS.md lists them. It checks the most
// specific class first (a *RedeemError refusing a pass also matches
// ErrNoEntitlement; a *FieldError naming "cursor" is CodeCursor), and an
// error of no known class is CodeInternal with a fixed Detail. For a nil
// error it returns the zero Problem (Code "" and Status 0): no problem.
func ProblemOf(err error) Problem {
	if err == nil {
		return Problem{}
	}
	var p Problem
	var (
		idem    *IdempotencyError
		erased  *ErasedError
		redeem  *checkin.RedeemError
		refusal *entitlement.RefusalError
		in      *checkin.AlreadyCheckedInError
		fe      *field.Error
		terms   *TermsExistError
		cex     *CardExistsError
		cin     *CardInstalledError
		funds   *wallet.InsufficientFundsError
		refund  *wallet.RefundError
		nodebt  *wallet.NoDebtError
	)
	switch {
	case errors.As(err, &idem):
		p.Code, p.Key, p.Operation = CodeKeyReused, idem.Key, idem.Operation
	case errors.Is(err, ErrKeyReused):
		p.Code = CodeKeyReused
	case errors.As(err, &erased):
		p.Code, p.Key = CodeErased, erased.Key
	case errors.Is(err, ErrErased):
		p.Code = CodeErased
	case errors.As(err, &redeem):
		p.Outcome = string(redeem.Outcome)
		if !redeem.LockedUntil.IsZero() {
			t := redeem.LockedUntil.UTC()
			p.LockedUntil = &t
		}
		switch {
		case redeem.Outcome == checkin.LocationLocked:
			p.Code = CodeLocationLocked
		case errors.Is(redeem, ErrNoEntitlement):
			p.Code = CodeNoEntitlement
			if redeem.Reason != "" {
				p.Reasons = []ProblemReason{{Pass: redeem.Pass, Reason: string(redeem.Reason), Message: redeem.Reason.String()}}
			}
		default:
			p.Code = CodeRefused
		}
	case errors.Is(err, ErrLocationLocked):
		p.Code = CodeLocationLocked
	case errors.As(err, &refusal):
		p.Code = CodeNoEntitlement
		for _, c := range refusal.Candidates {
			p.Reasons = append(p.Reasons, ProblemReason{Pass: c.PassID, Reason: string(c.Reason), Message: c.Reason.String()})
		}
	case errors.Is(err, ErrNoEntitlement):
		p.Code = CodeNoEntitlement
	case errors.Is(err, ErrUnknownCode), errors.Is(err, ErrNoHealthDeclaration):
		p.Code = CodeRefused
	case errors.As(err, &in):
		p.Code, p.Visit = CodeAlreadyCheckedIn, in.Visit.ID
	case errors.Is(err, ErrAlreadyCheckedIn):
		p.Code = CodeAlreadyCheckedIn
	case errors.As(err, &fe):
		p.Code, p.Field = CodeInvalid, fe.Name
		if fe.Name == "cursor" {
			p.Code = CodeCursor
		}
	case errors.Is(err, ErrInvalid):
		p.Code = CodeInvalid
	case errors.Is(err, store.ErrCursor):
		p.Code, p.Field = CodeCursor, "cursor"
	case errors.As(err, &terms), errors.Is(err, ErrExists):
		p.Code = CodeExists
	case errors.As(err, &cex):
		p.Code, p.Card = CodeCardExists, cex.Card
	case errors.Is(err, ErrCardExists):
		p.Code = CodeCardExists
	case errors.As(err, &cin):
		p.Code, p.Card = CodeCardInstalled, cin.Card
	case errors.Is(err, ErrCardInstalled):
		p.Code = CodeCardInstalled
	case errors.As(err, &funds):
		amount, available := funds.Amount, funds.Available
		p.Code, p.Amount, p.Available = CodeInsufficientFunds, &amount, &available
	case errors.Is(err, wallet.ErrInsufficientFunds):
		p.Code = CodeInsufficientFunds
	case errors.As(err, &refund):
		left := refund.Took.Sub(refund.Refunded)
		p.Code, p.Entry, p.Available = CodeRefundTooLarge, refund.Entry, &left
	case errors.Is(err, wallet.ErrRefundTooLarge):
		p.Code = CodeRefundTooLarge
	case errors.As(err, &nodebt):
		p.Code, p.Visit = CodeNoDebt, nodebt.Visit
	case errors.Is(err, wallet.ErrNoDebt):
		p.Code = CodeNoDebt
	case errors.Is(err, ErrNotOpen):
		p.Code = CodeNotOpen
	case errors.Is(err, ErrNotBooked):
		p.Code = CodeNotBooked
	case errors.Is(err, ErrNotMovable):
		p.Code = CodeNotMovable
	case errors.Is(err, ErrBalance):
		p.Code = CodeBalance
	case errors.Is(err, billing.ErrTermsMissing):
		p.Code = CodeTermsMissing
	case errors.Is(err, ErrNoPasscode):
		p.Code = CodeNoPasscode
	case errors.Is(err, ErrCodesExhausted):
		p.Code = CodeCodesExhausted
	case errors.Is(err, ErrNoCodeKey), errors.Is(err, ErrCodeKeyMismatch), errors.Is(err, passcode.ErrSealed),
		errors.Is(err, passcode.ErrShortKey):
		p.Code = CodeMisconfigured
	case errors.Is(err, ErrNotFound):
		p.Code = CodeNotFound
	case errors.Is(err, ErrConflict):
		p.Code = CodeConflict
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), errors.Is(err, store.ErrClosed):
		p.Code = CodeUnavailable
	default:
		p.Code = CodeInternal
	}
	p.Type, p.Title, p.Status = p.Code.TypeURI(), p.Code.Title(), p.Code.Status()
	if p.Code == CodeInternal {
		p.Detail = internalDetail
	} else {
		p.Detail = err.Error()
	}
	return p
}

// CodeOf returns err's stable Code: ProblemOf(err).Code, "" for nil.
func CodeOf(err error) Code { return ProblemOf(err).Code }
