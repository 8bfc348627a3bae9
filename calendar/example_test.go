package calendar_test

import (
	"fmt"
	"time"

	"github.com/passengine/passengine/calendar"
)

// A location's business day starts at its cut-off in its own zone (T4):
// with a 03:00 cut-off in London, 02:30 on 8 March still belongs to
// 7 March. Validity is calendar arithmetic (T3): a month from 31 January
// ends on the last day of February.
func Example() {
	z, err := calendar.LoadZone("Europe/London", 3*time.Hour)
	if err != nil {
		fmt.Println(err)
		return
	}
	late := time.Date(2026, 3, 8, 2, 30, 0, 0, time.UTC)
	fmt.Println(z.Date(late), z.Date(late.Add(time.Hour)))
	fmt.Println(z.Start(calendar.NewDate(2026, 3, 29)).UTC()) // the day the clocks go forward

	v := calendar.Validity{Months: 1}
	fmt.Println(v.From(calendar.NewDate(2026, 1, 31)), calendar.Validity{Days: 30}.From(calendar.NewDate(2026, 1, 31)))

	_, err = calendar.LoadZone("Mars/Olympus", 0)
	fmt.Println(err)
	// Output:
	// 2026-03-07 2026-03-08
	// 2026-03-29 02:00:00 +0000 UTC
	// 2026-02-28 2026-03-02
	// invalid zone: "Mars/Olympus" is not an IANA time zone
}
