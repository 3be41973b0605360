"""Demo content for the corrections app.

All articles, people, organisations and places (including the town of
Harbourford) are fictional and were written for this demo. Several articles
contain deliberate slips (a typo, a wrong percentage, an inconsistent score)
so that the demo reports have something real to point at.

Some articles say how they were made (source_type, generator): the Rovers match report was written by a
machine, the ferry fares story with a machine's help, the library story by people; the others do not say.

Reports whose ``passage`` deliberately does NOT match the article body exactly:
  * lantern parade quote: differs only in quote style / case / spacing, so it
    should match once normalised;
  * Rovers "scored twice" report: the passage is not in the article at all.
"""

DEMO_ARTICLES = [
    {
        "slug": "library-sunday-opening",
        "canonical_url": "https://news.example.org/local/library-sunday-opening",
        "title": "Central library to open on Sundays from December",
        "byline": "By Maya Okafor",
        "section": "Local",
        "published_at": "2026-11-10T08:15:00+00:00",
        "source_type": "digitalCreation",
        "body": (
            "Harbourford Central Library will open on Sundays for the first time "
            "in more than a decade from 6 December, the council has confirmed. The "
            "library on Chandler Street will open from 11am to 3pm on Sundays and "
            "will also stay open until 8pm on Thursdays, up from 6pm."
            "\n\n"
            "The extra hours are being paid for by a £42,000 grant from the "
            "Penhallow Trust, a local charity, which will cover staffing costs for "
            "the first 18 months. The library will also recruit six volunteer "
            "“reading buddies” to help children and adults who are learning to read."
            "\n\n"
            "Visitor numbers at the library have risen from 71,000 in 2023 to "
            "94,500 in the year to September, according to council figures. Head "
            "librarian Nadia Quartey said demand for study space had grown sharply. "
            "'On weekday afternoons every table is taken by students and people "
            "working from home,' she said."
            "\n\n"
            "The library’s makerspace, which has two 3D printers and a sewing "
            "machine, will be open during the Sunday sessions. Members can book "
            "equipment online or by calling 01632 960 418."
            "\n\n"
            "The council ended Sunday opening at all three of its libraries in 2012 "
            "as part of a package of cuts worth £1.3 million. Councillor Ruth "
            "Penrose, who chairs the communities committee, said she hoped the "
            "branch libraries in Westcliffe and Saltmarsh would follow “once we can "
            "find the money”."
        ),
    },
    {
        "slug": "fish-market-cooperative-second-shop",
        "canonical_url": "https://news.example.org/business/fish-market-cooperative-second-shop",
        "title": "Fish market co-operative opens second shop with 14 new jobs",
        "byline": "By Tomás Lindqvist",
        "section": "Business",
        "published_at": "2026-11-12T10:00:00+00:00",
        "body": (
            "The Harbourford Fish Market Co-operative is to open a second shop on "
            "Westgate Street in January, creating 14 jobs. The co-op, which is owned "
            "by 37 local fishing families, has signed a ten-year lease on the former "
            "Barlow’s shoe shop, which has stood empty since 2024."
            "\n\n"
            "Chair Aileen MacRae said sales at the original quayside market had "
            "grown by 22 per cent in the past year, helped by a deal to supply three "
            "restaurants in the Old Town. “People want to know where their fish "
            "comes from and who caught it,” she said. “Every boat that lands with us "
            "is named on the board behind the counter.”"
            "\n\n"
            "The new shop will include a smokehouse and a small kitchen serving fish "
            "and chips to take away. The co-op has received a £95,000 grant from the "
            "Coastal Communities Fund towards the £260,000 cost of fitting out the "
            "building, with the rest coming from members’ savings and a bank loan."
            "\n\n"
            "Not everyone is pleased. Gordon Hale, who has run Hale’s Fish Bar on "
            "Westgate Street for 26 years, said the street “doesn’t need another "
            "chippy”. He added: 'I wish them well with the fresh fish, but the "
            "takeaway side will hurt small businesses like mine.'"
            "\n\n"
            "The co-op says the Westgate Street shop will open six days a week, "
            "closing on Mondays, and will take orders for collection through its "
            "website. Ms MacRae said the smokehouse would be used for kippers and "
            "hot-smoked mackerel caught by member boats."
        ),
    },
    {
        "slug": "seagrass-meadows-recovery",
        "canonical_url": "https://news.example.org/science/seagrass-meadows-recovery",
        "title": "Seagrass meadows in Harbourford Bay show signs of recovery",
        "byline": "By Priya Anand",
        "section": "Science",
        "published_at": "2026-11-14T07:30:00+00:00",
        "body": (
            "<p>Seagrass meadows in Harbourford Bay have grown by 18 per cent in "
            "three years, according to a survey published on Friday by the "
            "Harbourford Marine Trust. Divers and drone operators mapped 46 hectares "
            "of seagrass this summer, compared with 39 hectares in 2023.</p>"
            "\n\n"
            "<p>The trust says the recovery is concentrated around Gull Point, where "
            "<strong>eco-friendly moorings</strong> were installed in 2022 to stop "
            "boat anchors and chains scraping the seabed. At the two other monitored "
            "sites, Kettle Cove and the Saltmarsh channel, the area of seagrass was "
            "broadly unchanged.</p>"
            "\n\n"
            "<p>Dr Imogen Tarrant, the trust’s lead scientist, said the results were "
            "encouraging but fragile. She added that the next survey, in summer "
            "2027, would show whether the gains were lasting.</p>"
            "\n\n"
            "<blockquote>“Seagrass is a nursery for young fish, seahorses and "
            "cuttlefish, and it locks away carbon in the seabed. But one bad summer "
            "of algal blooms could undo years of progress.”</blockquote>"
            "\n\n"
            "<p>Volunteers logged 212 dives for the survey between May and "
            "September, and spotted two short-snouted seahorses near Gull Point, the "
            "first confirmed sighting in the bay since 2011. The trust has published "
            'the <a href="https://harbourford-marine.example.org/reports/seagrass-2026">'
            "full survey report</a> on its website.</p>"
            "\n\n"
            "<p>The trust is now seeking £120,000 to install a further 30 moorings at "
            "Kettle Cove. It hopes to begin work in spring 2027, subject to approval "
            "from the harbour authority.</p>"
        ),
    },
    {
        "slug": "eastbank-ferry-fares-rise",
        "canonical_url": "https://news.example.org/business/eastbank-ferry-fares-rise",
        "title": "Eastbank ferry fares to rise by 25p in January",
        "byline": "By Samuel Okonjo",
        "section": "Business",
        "published_at": "2026-11-16T06:45:00+00:00",
        # A human text with passages a language model drafted, given as the term's IPTC URI.
        "source_type": "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia",
        "generator": "draft-assist 2.0",
        "body": (
            "Passengers on the Harbourford to Eastbank foot ferry will pay £2.75 for "
            "a single journey from 4 January, up from £2.50. Harbour Ferries Ltd, "
            "which runs the service under contract to the council, said the 10 per "
            "cent rise was needed to cover higher fuel and insurance costs."
            "\n\n"
            "Monthly season tickets will rise from £58 to £64, while fares for "
            "under-16s and holders of the Harbourford Resident Card will be frozen "
            "at £1.20. The company said around 3,400 passengers use the ferry on a "
            "typical weekday, rising to more than 6,000 on summer weekends."
            "\n\n"
            "Managing director Owen Castellane said the company had absorbed two "
            "years of rising costs. \"We held fares in 2025 and 2026 even though our "
            "fuel bill went up by £140,000,\" he said. \"We've left it as late as we "
            "possibly could.\""
            "\n\n"
            "The increase comes while the Quay Street swing bridge remains closed, "
            "leaving the ferry as the quickest route between the Old Town and "
            "Eastbank for many residents. Commuter group Eastbank Connect said the "
            "timing was “tone-deaf” and called on the council to subsidise fares "
            "until the bridge reopens."
            "\n\n"
            "The last ferry of the day will also move from 11.15pm to 10.45pm on "
            "weekdays. The company says the change reflects low demand late in the "
            "evening, when the 11.15pm crossing carries an average of nine "
            "passengers."
        ),
    },
    {
        "slug": "lantern-parade-returns",
        "canonical_url": "https://news.example.org/culture/lantern-parade-returns",
        "title": "Lantern parade returns to the harbour after four-year break",
        "byline": "By Eleanor Fitch",
        "section": "Culture",
        "published_at": "2026-11-17T12:20:00+00:00",
        "body": (
            "<p>Harbourford’s winter lantern parade will return on <strong>Saturday "
            "12 December</strong> for the first time since 2022, organisers have "
            "announced. Around 600 people are expected to carry handmade lanterns "
            "from St Brannoc’s Church to the harbour wall, where the evening will "
            "end with a fire-drumming performance.</p>"
            "\n\n"
            "<p>The parade was cancelled in 2023 after its main sponsor withdrew, "
            "and plans to revive it in 2024 and 2025 fell through. This year’s event "
            "is being run by the volunteer group Harbour Lights, with £18,500 raised "
            "through a crowdfunding campaign and a grant from the town council.</p>"
            "\n\n"
            "<p>Free lantern-making workshops will be held at the Harbourford Arts "
            "Centre every weekend until the parade. Materials, including willow "
            "canes and tissue paper, are provided, and no booking is needed. Full "
            'details are on the <a href="https://harbourlights.example.org/parade">'
            "Harbour Lights website</a>.</p>"
            "\n\n"
            "<blockquote>“It’s the one night of the year when the whole town turns "
            "out,” said organiser Bethan Lowry. “We’ve had people writing to us from "
            "Australia saying they’ll plan their Christmas visit around it.”"
            "</blockquote>"
            "\n\n"
            "<p>The route will be closed to traffic from 4.30pm to 7.30pm, and the "
            "parade is due to set off at 5pm. Organisers are asking spectators to "
            "<em>leave dogs at home</em> because of the drumming.</p>"
        ),
    },
    {
        "slug": "council-budget-2027",
        "canonical_url": "https://news.example.org/politics/council-budget-2027",
        "title": "Council backs £48.6m budget with 4.9% council tax rise",
        "byline": "By Daniel Whitcombe",
        "section": "Politics",
        "published_at": "2026-11-19T09:05:00+00:00",
        "body": (
            "Harbourford Town Council has approved a £48.6 million budget for "
            "2027-28 after a three-hour debate on Wednesday evening. Councillors "
            "voted 19 to 12 in favour, with two abstentions, meaning the council’s "
            "share of the bill for a typical Band D home will rise by 4.9 per cent "
            "from April."
            "\n\n"
            "For a Band D household that amounts to an extra £1.68 a week, or about "
            "£87 a year. Council leader Harriet Osei said the increase was “the "
            "smallest we could responsibly set” given rising costs in adult social "
            "care, which now accounts for 41 per cent of spending."
            "\n\n"
            "The budget includes £4.2 million for road resurfacing, up from £3.8 "
            "million last year, a rise of 6 per cent. A further £750,000 has been "
            "set aside to extend the free Harbour Hopper bus service to the "
            "Westcliffe and Saltmarsh estates from next summer."
            "\n\n"
            "Opposition leader Colin Ferraday argued the council had recieved “more "
            "than enough warning” about social care pressures and should have made "
            "savings earlier. His group’s amendment, which would have cut the "
            "budget for councillors’ allowances by 10 per cent, was defeated by 20 "
            "votes to 11."
            "\n\n"
            "Residents who responded to the council’s autumn consultation were "
            "split. Of the 1,214 people who took part, 52 per cent said they would "
            "accept a rise of up to 5 per cent if it protected frontline services, "
            "while 38 per cent opposed any increase."
            "\n\n"
            "The budget will be formally set at a meeting of the full council on "
            "24 February 2027. Residents can watch the meeting live on the "
            "council’s website or attend in person in the Town Hall public gallery."
        ),
    },
    {
        "slug": "quay-street-bridge-repairs-delayed",
        "canonical_url": "https://news.example.org/local/quay-street-bridge-repairs-delayed",
        "title": "Quay Street swing bridge repairs pushed back to March",
        "byline": "By Maya Okafor",
        "section": "Local",
        "published_at": "2026-11-20T07:45:00+00:00",
        "body": (
            "Repairs to Harbourford’s Quay Street swing bridge will not be finished "
            "until March 2027, three months later than planned, the town council "
            "confirmed on Thursday. The bridge has been closed to vehicles since "
            "4 August, when inspectors found corrosion in two of the four steel "
            "bearings that allow it to pivot. Pedestrians and cyclists can still "
            "cross on a temporary walkway along the northern side."
            "\n\n"
            "The bridge first opened in 1887 and is the only crossing between the "
            "Old Town and the Eastbank estate within a mile of the harbour mouth. "
            "Drivers currently face a detour of about 2.4 miles via the Millbrook "
            "Road roundabout, which adds up to 15 minutes at peak times."
            "\n\n"
            "Council engineer Rosalind Achebe said the replacement bearings had to "
            "be cast to order at a foundry in Sheffield. “We underestimated how long "
            "it would take to source parts for a structure this old,” she said. "
            "“Nobody wants the bridge open more than we do, but we are not going to "
            "cut corners on safety.”"
            "\n\n"
            "The cost of the works has risen from an estimated £640,000 to £910,000, "
            "an increase of more than 40 per cent. The extra money will come from "
            "the council’s highways reserve, which stood at £2.1 million in April."
            "\n\n"
            "Businesses on Quay Street say the closure has hit trade. Wendell Pryce, "
            "who runs the Anchor and Oar café next to the bridge, said takings were "
            "down by around a third since August. 'We rely on people driving over "
            "from Eastbank for breakfast,' he said. 'Another winter like this will "
            "be very hard.'"
            "\n\n"
            "A public drop-in session about the works will be held at Harbourford "
            "Town Hall on Tuesday 1 December from 4pm to 7pm. Council officers and "
            "the contractor, Pellow Civil Engineering, will be there to answer "
            "questions."
        ),
    },
    {
        "slug": "rovers-reach-county-cup-semi-final",
        "canonical_url": "https://news.example.org/sport/rovers-reach-county-cup-semi-final",
        "title": "Rovers stun Dunmore to reach County Cup semi-final",
        "byline": "By Grace Oduya",
        "section": "Sport",
        "published_at": "2026-11-23T06:30:00+00:00",
        # A match report a language model wrote from the match data.
        "source_type": "trainedAlgorithmicMedia",
        "generator": "newswriter 4.2",
        "body": (
            "Harbourford Rovers reached the semi-finals of the County Cup for the "
            "first time in 19 years after a 3-1 win over league leaders Dunmore "
            "Athletic at Ropewalk Park on Saturday. A crowd of 1,862, the biggest at "
            "the ground this season, saw the Rovers come from a goal down at "
            "half-time."
            "\n\n"
            "Dunmore took the lead in the 31st minute when Kieran Mott headed in a "
            "corner. The Rovers levelled seven minutes after the break through "
            "captain Jonah Pelling, who curled a free kick into the top corner from "
            "25 yards."
            "\n\n"
            "Substitute Femi Adeyemi put the hosts ahead on 71 minutes, and "
            "18-year-old winger Callum Reade sealed the 3-2 victory in stoppage time "
            "with his first senior goal. Dunmore finished with ten men after "
            "defender Lewis Garrow was sent off for a second booking."
            "\n\n"
            "Manager Sian Trevelyan praised her side’s character. “At half-time I "
            "told them nobody outside this dressing room expected anything from us, "
            "so there was nothing to lose,” she said. “They went out and played with "
            "no fear.”"
            "\n\n"
            "The semi-final draw will be made on Wednesday evening. Rovers are the "
            "only side left in the competition from outside the Premier Division."
        ),
    },
    {
        # The same system wrote the draw's story from its match report, wrong score and all: the archive sweep
        # lists it in "Same error elsewhere" once the Rovers correction names its wrong words.
        "slug": "county-cup-semi-final-draw",
        "canonical_url": "https://news.example.org/sport/county-cup-semi-final-draw",
        "title": "Rovers drawn at home to Kingsbridge in County Cup semi-final",
        "byline": "By Grace Oduya",
        "section": "Sport",
        "published_at": "2026-11-26T20:45:00+00:00",
        "source_type": "trainedAlgorithmicMedia",
        "generator": "newswriter 4.2",
        "body": (
            "Harbourford Rovers will play Kingsbridge Town at Ropewalk Park in the "
            "semi-finals of the County Cup, Wednesday evening's draw decided. The tie "
            "is set for Saturday 12 December."
            "\n\n"
            "Rovers reached the last four by beating league leaders Dunmore Athletic, "
            "coming from a goal down at half-time. 18-year-old winger Callum Reade "
            "sealed the 3-2 victory in stoppage time with his first senior goal."
            "\n\n"
            "Kingsbridge beat holders Westhaven United on penalties after a goalless "
            "draw. The other semi-final pairs Dunmore's neighbours Cove Rangers with "
            "Millbrook."
        ),
    },
]


DEMO_REPORTS = [
    # --- Cluster: three readers reporting the same passage (bridge opening year)
    {
        "article_slug": "quay-street-bridge-repairs-delayed",
        "passage": "The bridge first opened in 1887",
        "category": "factual",
        "description": "The plaque on the bridge itself says it was opened in 1878, not 1887. Looks like the digits got swapped.",
        "suggested_correction": "The bridge first opened in 1878",
        "source_url": "",
        "name": "Alan Treharne",
        "email": "alan.treharne@example.org",
        "notify": True,
        "status": "in_review",
        "minutes_ago": 4210,
    },
    {
        "article_slug": "quay-street-bridge-repairs-delayed",
        "passage": "The bridge first opened in 1887",
        "category": "factual",
        "description": "Wrong year. The Harbourford Civic Society history page gives 1878 for the opening of the swing bridge.",
        "suggested_correction": "1878",
        "source_url": "https://civicsociety.example.org/history/quay-street-bridge",
        "name": "",
        "email": "",
        "notify": False,
        "status": "new",
        "minutes_ago": 3655,
    },
    {
        "article_slug": "quay-street-bridge-repairs-delayed",
        "passage": "The bridge first opened in 1887",
        "category": "factual",
        "description": "My great-grandfather worked on it and we have the opening programme at home, dated June 1878. Please fix!",
        "suggested_correction": "",
        "source_url": "",
        "name": "Jen",
        "email": "jen.moss@example.com",
        "notify": True,
        "status": "new",
        "minutes_ago": 1980,
    },
    # --- Council budget
    {
        "article_slug": "council-budget-2027",
        "passage": "the council had recieved",
        "category": "typo",
        "description": "Spelling: \"recieved\" should be \"received\".",
        "suggested_correction": "the council had received",
        "source_url": "",
        "name": "",
        "email": "",
        "notify": False,
        "status": "accepted",
        "minutes_ago": 6890,
    },
    {
        "article_slug": "council-budget-2027",
        "passage": "up from £3.8 million last year, a rise of 6 per cent",
        "category": "factual",
        "description": "The maths doesn't work. Going from £3.8m to £4.2m is a rise of about 10.5%, not 6%.",
        "suggested_correction": "up from £3.8 million last year, a rise of about 10 per cent",
        "source_url": "",
        "name": "Priti Shah",
        "email": "p.shah@example.com",
        "notify": True,
        "status": "in_review",
        "minutes_ago": 5120,
    },
    # --- Seagrass (HTML body)
    {
        "article_slug": "seagrass-meadows-recovery",
        "passage": "full survey report",
        "category": "broken_link",
        "description": "The link to the survey report gives a 404 page. The trust seems to have moved it to a publications section.",
        "suggested_correction": "",
        "source_url": "https://harbourford-marine.example.org/publications/seagrass-survey-2026",
        "name": "",
        "email": "diver.dan@example.org",
        "notify": True,
        "status": "new",
        "minutes_ago": 2745,
    },
    {
        "article_slug": "seagrass-meadows-recovery",
        "passage": "Seagrass meadows in Harbourford Bay have grown by 18 per cent in three years",
        "category": "misleading",
        "description": "The headline and first line suggest the whole bay is recovering, but further down it says two of the three sites haven't changed. The growth is really just at Gull Point.",
        "suggested_correction": "Seagrass around Gull Point has grown, lifting the total for Harbourford Bay by 18 per cent in three years",
        "source_url": "",
        "name": "M. Kowalczyk",
        "email": "",
        "notify": False,
        "status": "new",
        "minutes_ago": 8030,
    },
    # --- Fish market co-op
    {
        "article_slug": "fish-market-cooperative-second-shop",
        "passage": "which is owned by 37 local fishing families",
        "category": "factual",
        "description": "Everyone knows the co-op is really run by a big supermarket chain behind the scenes. It's not owned by families at all.",
        "suggested_correction": "",
        "source_url": "",
        "name": "",
        "email": "",
        "notify": False,
        "status": "rejected",
        "minutes_ago": 9470,
    },
    # --- Rovers
    {
        "article_slug": "rovers-reach-county-cup-semi-final",
        "passage": "sealed the 3-2 victory in stoppage time",
        "category": "factual",
        "description": "The score was 3-1, as the first paragraph says. Dunmore only scored once.",
        "suggested_correction": "sealed the 3-1 victory in stoppage time",
        "source_url": "",
        "name": "Rovers fan",
        "email": "",
        "notify": False,
        "status": "corrected",
        "minutes_ago": 140,
    },
    {
        # Deliberately NOT present in the article body.
        "article_slug": "rovers-reach-county-cup-semi-final",
        "passage": "Pelling scored twice in the second half",
        "category": "factual",
        "description": "Pelling only scored the free kick. The second goal was Adeyemi's header, I was behind the goal.",
        "suggested_correction": "",
        "source_url": "",
        "name": "Terry Bannock",
        "email": "terry.b@example.com",
        "notify": False,
        "status": "new",
        "minutes_ago": 55,
    },
    # --- Lantern parade (HTML body)
    {
        # Deliberately differs from the article in quote style, case and
        # spacing; should still match after normalisation.
        "article_slug": "lantern-parade-returns",
        "passage": "\"It's the one night of the year  when the Whole town turns out,\"",
        "category": "factual",
        "description": "I was at the Harbour Lights meeting. This was said by the group's chair, Martin Gale, not by Bethan Lowry.",
        "suggested_correction": "said Harbour Lights chair Martin Gale",
        "source_url": "",
        "name": "Sophie Rendell",
        "email": "sophie.rendell@example.org",
        "notify": True,
        "status": "new",
        "minutes_ago": 3020,
    },
    {
        "article_slug": "lantern-parade-returns",
        "passage": "Free lantern-making workshops will be held at the Harbourford Arts Centre every weekend until the parade.",
        "category": "outdated",
        "description": "The workshops have moved to the Scout Hall on Ferry Lane from 5 December because the Arts Centre is hosting the panto.",
        "suggested_correction": "",
        "source_url": "https://harbourlights.example.org/news/workshops-move",
        "name": "",
        "email": "",
        "notify": False,
        "status": "new",
        "minutes_ago": 720,
    },
    # --- Library
    {
        "article_slug": "library-sunday-opening",
        "passage": "from 6 December",
        "category": "outdated",
        "description": "The council has since put back the start of Sunday opening to 13 December because of staff recruitment. There's a notice on the library door.",
        "suggested_correction": "from 13 December",
        "source_url": "https://harbourford-council.example.org/libraries/opening-hours",
        "name": "Gwen",
        "email": "gwen.hollis@example.com",
        "notify": True,
        "status": "new",
        "minutes_ago": 1315,
    },
    # --- Ferry fares
    {
        "article_slug": "eastbank-ferry-fares-rise",
        "passage": "Monthly season tickets will rise from £58 to £64",
        "category": "factual",
        "description": "I buy a season ticket every month and it currently costs £56, not £58. So the rise is bigger than the article says.",
        "suggested_correction": "Monthly season tickets will rise from £56 to £64",
        "source_url": "https://harbourferries.example.com/fares",
        "name": "Kwame A.",
        "email": "",
        "notify": False,
        "status": "new",
        "minutes_ago": 2290,
    },
    {
        "article_slug": "eastbank-ferry-fares-rise",
        "passage": "The company said around 3,400 passengers use the ferry",
        "category": "other",
        "description": "BEST PRICES on designer watches and handbags!!! Up to 90% OFF today only, free shipping worldwide. Click here now >>> limited stock",
        "suggested_correction": "",
        "source_url": "https://mega-deals.example.com/watches?ref=news",
        "name": "Top Deals",
        "email": "promo@example.com",
        "notify": False,
        "status": "spam",
        "minutes_ago": 610,
    },
]


# Notices the demo publishes; `resolves` is the passage of the demo report(s) each one corrects.
DEMO_NOTICES = [
    {
        "article_slug": "rovers-reach-county-cup-semi-final",
        "kind": "correction",
        "text": "An earlier version of this article gave the final score as 3-2 in one paragraph. "
                "Rovers won 3-1.",
        "resolves": "sealed the 3-2 victory in stoppage time",
        # What was wrong, as the publish form takes it (the whole sentence, whose names tell this fact from
        # others): the archive sweep and check-text look for it in other articles.
        "wrong_text": "18-year-old winger Callum Reade sealed the 3-2 victory in stoppage time with his first "
                      "senior goal.",
        "right_text": "18-year-old winger Callum Reade sealed the 3-1 victory in stoppage time with his first "
                      "senior goal.",
    },
    {
        "article_slug": "seagrass-meadows-recovery",
        "kind": "clarification",
        "text": "This article has been clarified to say that the growth was measured at one of the "
                "three survey sites, Gull Point; the other two have not changed.",
        "resolves": "",
        # The article is changed before the notice goes out: a second revision, which the notice links to.
        "fix": ("Seagrass meadows in Harbourford Bay have grown",
                "Seagrass meadows around Gull Point, one of three sites surveyed in Harbourford Bay, have grown"),
    },
]
