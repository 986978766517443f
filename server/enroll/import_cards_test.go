package enroll_test

import (
	"fmt"
	"testing"

	"github.com/aidledger/aidledger/server/enroll"
)

func TestImportCards_pagesThroughAnImportsCardsInTheFilesOrderWithoutTheErased(t *testing.T) {
	e := newEnv(t, func(c *enroll.Config) { c.ImportBatch = 4 })
	mustEnroll(t, e.svc, person(500)) // enrolled by hand: not the import's
	im := runImport(t, e.svc, csvOf(0, 10))
	if im.Created != 10 {
		t.Fatalf("import %+v", im)
	}
	other := runImport(t, e.svc, csvOf(10, 12))

	var order []string // given names in the order the pages give them
	var erased string
	after := ""
	for page := 0; ; page++ {
		p, err := e.svc.ImportCards(ctx, im.ID, after, 0, 3)
		if err != nil {
			t.Fatal(err)
		}
		if p.Total != 10 && erased == "" || p.Total != 9 && erased != "" {
			t.Fatalf("page %d: total %d", page, p.Total)
		}
		for _, c := range p.Cards {
			b, err := e.svc.Get(ctx, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if b.CardNumber != c.CardNumber {
				t.Errorf("card %s listed as %s", b.CardNumber, c.CardNumber)
			}
			order = append(order, b.GivenName)
		}
		if page == 0 {
			// Erased between two pages: the later pages and the total leave it out.
			last, _ := e.svc.ImportCards(ctx, im.ID, p.Cards[2].ID, 0, 1)
			if _, err := e.svc.ErasePersonalData(ctx, last.Cards[0].ID); err != nil {
				t.Fatal(err)
			}
			erased = last.Cards[0].ID
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	want := []string{"Given0", "Given1", "Given2", "Given4", "Given5", "Given6", "Given7", "Given8", "Given9"}
	if fmt.Sprint(order) != fmt.Sprint(want) {
		t.Errorf("cards in order %v, want %v (the file's, Given3 erased)", order, want)
	}
	if p, err := e.svc.ImportCards(ctx, other.ID, "", 0, 0); err != nil || p.Total != 2 || len(p.Cards) != 2 {
		t.Errorf("the other import's cards: %+v, %v", p, err)
	}

	// Taken up again at the fifth card left (Given5: Given3 is erased).
	if p, err := e.svc.ImportCards(ctx, im.ID, "", 4, 2); err != nil || len(p.Cards) != 2 {
		t.Errorf("from the fifth: %+v, %v", p, err)
	} else if b, _ := e.svc.Get(ctx, p.Cards[0].ID); b.GivenName != "Given5" {
		t.Errorf("the fifth card left is %s's, want Given5's", b.GivenName)
	}
	imports, err := e.svc.ListImports(ctx)
	if err != nil || len(imports) != 2 || imports[0].ID != other.ID || imports[1].ID != im.ID || imports[1].Created != 10 {
		t.Errorf("imports %+v, %v; want the two, newest first", imports, err)
	}

	_, err = e.svc.ImportCards(ctx, "01a21101-3c39-7c4e-bc3c-091516369641", "", 0, 10)
	wantAPIErr(t, err, "not_found", "")
	_, err = e.svc.ImportCards(ctx, im.ID, "", 0, 1000)
	wantAPIErr(t, err, "invalid_field", "limit")
	_, err = e.svc.ImportCards(ctx, im.ID, "page-2", 0, 10)
	wantAPIErr(t, err, "invalid_field", "after")
	_, err = e.svc.ImportCards(ctx, im.ID, "", -1, 10)
	wantAPIErr(t, err, "invalid_field", "from")
}

func TestRecipients_OfOneImportStreamsOnlyItsActiveBeneficiaries(t *testing.T) {
	e := newEnv(t, nil)
	mustEnroll(t, e.svc, person(500)) // by hand: in no import
	im := runImport(t, e.svc, csvOf(0, 6))
	runImport(t, e.svc, csvOf(6, 9))
	cards, err := e.svc.ImportCards(ctx, im.ID, "", 0, 10)
	if err != nil || len(cards.Cards) != 6 {
		t.Fatalf("the import's cards: %+v, %v", cards, err)
	}
	if _, err := e.svc.Suspend(ctx, cards.Cards[2].ID); err != nil {
		t.Fatal(err)
	}
	collect := func(location, importID string) ([]string, error) {
		var got []string
		err := e.svc.Recipients(ctx, nil, true, location, importID, func(rs []enroll.Recipient) error {
			for _, r := range rs {
				got = append(got, r.ID)
			}
			return nil
		})
		return got, err
	}
	got, err := collect("", im.ID)
	want := []string{cards.Cards[0].ID, cards.Cards[1].ID, cards.Cards[3].ID, cards.Cards[4].ID, cards.Cards[5].ID}
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("recipients of the import: %v, %v; want its five active ones %v", got, err, want)
	}
	// With a location too, both narrow: csvRow puts row i in "Camp, block i%40".
	if got, err := collect("camp, BLOCK 4", im.ID); err != nil || len(got) != 1 || got[0] != cards.Cards[4].ID {
		t.Errorf("recipients of the import in block 4: %v, %v; want %s", got, err, cards.Cards[4].ID)
	}
	_, err = collect("", "01a21101-3c39-7c4e-bc3c-091516369641")
	wantAPIErr(t, err, "invalid_field", "import_id")
}
