"""Treatments, conditions and guide content for the demo data, written for this site."""

# Conditions the guides name. slug unique, lowercase-hyphenated.
CONDITIONS = [
    {
        "name": "Neck pain",
        "slug": "neck-pain",
        "summary": (
            "Pain or stiffness in the neck, often linked to posture, muscle tension or strain. "
            "Most episodes settle within a few weeks, and physiotherapy can help you move "
            "comfortably again."
        ),
    },
    {
        "name": "Shoulder pain",
        "slug": "shoulder-pain",
        "summary": (
            "Pain in or around the shoulder, commonly coming from the rotator cuff tendons, the "
            "joint itself or the muscles that control the shoulder blade."
        ),
    },
    {
        "name": "Back pain",
        "slug": "back-pain",
        "summary": (
            "Pain anywhere between the lower ribs and the buttocks. It is very common and is "
            "rarely caused by serious damage, and staying active with guided exercise helps many "
            "people recover."
        ),
    },
    {
        "name": "Headaches and migraines",
        "slug": "headaches",
        "summary": (
            "Headaches in which tight neck, jaw and scalp muscles may play a part, including "
            "tension-type headaches and some migraines. See your GP about any new, severe or "
            "changing headache."
        ),
    },
    {
        "name": "Sports injuries",
        "slug": "sports-injuries",
        "summary": (
            "Strains, sprains and overuse injuries picked up through sport or exercise. "
            "Rehabilitation aims to ease pain and return you to your activity safely."
        ),
    },
    {
        "name": "Tennis elbow",
        "slug": "tennis-elbow",
        "summary": (
            "Pain on the outside of the elbow from the tendons that lift the wrist, often after "
            "repeated gripping or lifting. Despite the name, most people who have it do not play "
            "tennis."
        ),
    },
    {
        "name": "Plantar fasciitis",
        "slug": "plantar-fasciitis",
        "summary": (
            "Pain under the heel and along the arch from the plantar fascia, the thick band of "
            "tissue on the sole of the foot. It is often worst with the first steps of the "
            "morning."
        ),
    },
    {
        "name": "Hip pain",
        "slug": "hip-pain",
        "summary": (
            "Pain in or around the hip, which may come from the joint itself, the tendons over the "
            "outer hip or the surrounding muscles."
        ),
    },
    {
        "name": "Knee pain",
        "slug": "knee-pain",
        "summary": (
            "Pain in or around the knee, for example from the joint behind the kneecap, the "
            "tendons or osteoarthritis. Strengthening the muscles around the knee helps many "
            "people."
        ),
    },
    {
        "name": "Muscle strains",
        "slug": "muscle-strains",
        "summary": (
            "An overstretch or tear in muscle fibres, most often in the hamstrings, calf or groin. "
            "Most strains heal well with a gradual, guided return to activity."
        ),
    },
    {
        "name": "Myofascial pain syndrome",
        "slug": "myofascial-pain-syndrome",
        "summary": (
            "Ongoing muscle pain linked to trigger points: sensitive spots within tight bands of "
            "muscle that can also send pain to other areas of the body."
        ),
    },
    {
        "name": "Achilles tendinopathy",
        "slug": "achilles-tendinopathy",
        "summary": (
            "Pain and stiffness in the Achilles tendon at the back of the ankle. It used to be "
            "called Achilles tendonitis, but tendinopathy is now the preferred term, as "
            "inflammation is often not the main problem."
        ),
    },
    {
        "name": "IT band syndrome",
        "slug": "it-band-syndrome",
        "summary": (
            "Pain on the outside of the knee or thigh, common in runners and cyclists, linked to "
            "the iliotibial (IT) band and the hip muscles that control it."
        ),
    },
    {
        "name": "Chronic pain",
        "slug": "chronic-pain",
        "summary": (
            "Pain that has lasted or kept coming back for more than three months. Care usually "
            "aims to improve activity, sleep and quality of life as well as to ease the pain."
        ),
    },
]

# Each guide's body text is Markdown. Clinic counts and prices are deliberately absent:
# the site computes those live from the clinics it lists.
TREATMENTS = [
    {
        "name": "Dry needling",
        "slug": "dry-needling",
        "summary": (
            "Very fine, solid needles placed into tight muscles and trigger points to ease pain "
            "and help movement, usually alongside exercise and hands-on physiotherapy."
        ),
        "related": ["acupuncture", "sports-massage", "manual-therapy"],
        "conditions": [
            (
                "neck-pain",
                "Trapezius, levator scapulae and the suboccipital muscles at the base of the skull",
            ),
            (
                "shoulder-pain",
                "Rotator cuff muscles, deltoid and the muscles around the shoulder blade",
            ),
            ("back-pain", "Paraspinal muscles, quadratus lumborum and the gluteal muscles"),
            ("headaches", "Upper trapezius, the suboccipital muscles and temporalis"),
            ("tennis-elbow", "The forearm muscles that extend the wrist and fingers"),
            ("achilles-tendinopathy", "Calf muscles: gastrocnemius and soleus"),
            ("plantar-fasciitis", "Calf muscles and the small muscles within the foot"),
            ("it-band-syndrome", "Gluteal muscles and tensor fasciae latae"),
        ],
        "guide": {
            "title": "Dry needling: treatment and benefits guide",
            "seo_title": "Dry needling in London: treatment and benefits guide",
            "seo_description": (
                "How dry needling works, which conditions it may help, what happens in a session, "
                "how many sessions you may need and how London clinics price it."
            ),
            "intro": (
                "Dry needling is a treatment in which a physiotherapist uses very fine needles to "
                "ease muscle pain, tight bands of muscle and trigger points. Physiotherapists "
                "across London offer it as one part of care for sports injuries, long-standing "
                "pain and a range of other muscle and joint problems.\n\n"
                "Unlike traditional acupuncture, dry needling is based on Western anatomy and on "
                "how muscles and nerves behave. This guide explains how it is thought to work, "
                "what a session involves, how many appointments people usually need and what to "
                "think about before you book."
            ),
            "sessions_min": 3,
            "sessions_max": 6,
            "reviewer_name": "Dr Imogen Testwell",
            "reviewer_credentials": (
                "MCSP, HCPC-registered physiotherapist (fictional reviewer for demo data)"
            ),
            "reviewed_on": "2026-09-14",
            "sections": [
                {
                    "heading": "What is dry needling?",
                    "body": (
                        "Dry needling is a technique in which a physiotherapist places very fine, "
                        "solid filament needles into chosen points in a muscle to reduce pain and "
                        "help it move more freely. It is aimed mainly at myofascial trigger "
                        "points: small, sensitive spots within a tight band of muscle. Trigger "
                        "points can be tender to press, can limit how far you move and sometimes "
                        "send pain to other areas, which is known as referred pain.\n\n"
                        "The word 'dry' simply means that nothing is injected. The needle itself "
                        "is the treatment, unlike the hollow needle used to give an injection.\n\n"
                        "Dry needling and acupuncture use similar needles, but they rest on "
                        "different ideas. Dry needling is based on Western anatomy and on how "
                        "muscles and nerves work, and your physiotherapist decides where to place "
                        "the needles by examining you. Traditional acupuncture comes from Chinese "
                        "medicine. There is more on the difference further down this page.\n\n"
                        "Dry needling is rarely used on its own. Physiotherapists usually pair it "
                        "with exercise, hands-on (manual) therapy and movement retraining, so that "
                        "any easing of pain can be turned into lasting progress.\n\n"
                        "Research is still developing and studies vary in quality. Evidence "
                        "suggests that dry needling can reduce pain and improve movement, at least "
                        "in the short term, for some people with neck pain, shoulder pain, low "
                        "back pain and tension-type headaches, particularly when it is part of a "
                        "wider treatment plan."
                    ),
                },
                {
                    "heading": "How does dry needling work?",
                    "body": (
                        "Researchers do not yet fully understand how dry needling works, and it is "
                        "likely that several effects combine. When the needle reaches a trigger "
                        "point, the muscle often gives a small, quick, involuntary flicker called "
                        "a local twitch response. Many physiotherapists take this as a sign that "
                        "the needle has found the right spot, and some studies link it to less "
                        "pain and tension afterwards.\n\n"
                        "The main explanations put forward are:\n\n"
                        "- **Trigger point deactivation** – the needle disrupts the small patch of "
                        "tightly contracted muscle fibres, which may help to break the cycle of "
                        "pain and spasm.\n"
                        "- **Neurological effects** – stimulation from the needle appears to "
                        "switch on pathways running down from the brain that dampen pain, known as "
                        "descending pain inhibition, so that pain is felt less strongly.\n"
                        "- **Local blood flow** – circulation around the needled area increases "
                        "for a while, which may help to clear irritating chemicals and bring in "
                        "oxygen and nutrients that support healing.\n"
                        "- **Biochemical changes** – small laboratory studies suggest that levels "
                        "of some inflammatory and pain-related substances in the muscle fall after "
                        "needling.\n"
                        "- **Gate control** – the sensation of the needle stimulates larger nerve "
                        "fibres, which can reduce the pain signals passing through the spinal cord "
                        "on their way to the brain.\n\n"
                        "These effects tend to be temporary. That is why physiotherapists treat "
                        "dry needling as a chance to exercise and move more comfortably, rather "
                        "than as a cure on its own."
                    ),
                },
                {
                    "heading": "Which conditions can dry needling help?",
                    "body": (
                        "Dry needling is mostly used for pain that comes from muscles, especially "
                        "where trigger points or long-standing muscle tension seem to play a part. "
                        "Physiotherapists commonly use it for neck pain, shoulder pain and back "
                        "pain, and for headaches linked to tight neck, jaw and scalp muscles, "
                        "including in some people whose migraines are made worse by muscle "
                        "tension. It is also used for sports injuries, muscle strains once the "
                        "early healing phase has passed, tennis elbow, plantar fasciitis, Achilles "
                        "tendinopathy, IT band syndrome, hip pain and knee pain. It can be a "
                        "useful part of care for myofascial pain syndrome, where trigger points "
                        "are the main source of pain, and for some people living with chronic "
                        "pain.\n\n"
                        "The needles are not always placed where you feel the pain. Heel pain from "
                        "plantar fasciitis, for example, may be treated partly through the calf "
                        "muscles, and pain on the outside of the thigh through the gluteal muscles "
                        "and tensor fasciae latae at the hip. The list on this page shows the "
                        "muscles most often involved for each condition.\n\n"
                        "Dry needling is not suitable for every person or every problem. It does "
                        "not repair joint wear, and NICE does not recommend acupuncture or dry "
                        "needling as a treatment for osteoarthritis. Your physiotherapist will "
                        "explain whether it is likely to help you and what the alternatives are."
                    ),
                },
                {
                    "heading": "What happens during a dry needling session?",
                    "body": (
                        "Your first appointment starts with an assessment. The physiotherapist "
                        "asks about your symptoms and general health, watches how you move and "
                        "feels (palpates) your muscles for tender, knotted bands that reproduce "
                        "your pain. Tell them if you are pregnant, take blood-thinning medicines, "
                        "have a bleeding disorder, diabetes or a weakened immune system, or are "
                        "anxious about needles, as these can affect whether needling is right for "
                        "you.\n\n"
                        "If dry needling seems appropriate, they will explain what it involves, "
                        "its likely benefits and its risks, and ask for your consent. You can "
                        "decline, or ask them to stop at any point.\n\n"
                        "A typical treatment follows five steps:\n\n"
                        "1. **Assessment** – active trigger points are found by palpation and by "
                        "testing the movements that bring on your symptoms.\n"
                        "2. **Needle insertion** – a sterile, single-use needle, usually 0.20–0.30 "
                        "mm in diameter, is inserted quickly through the skin into the trigger "
                        "point.\n"
                        "3. **Local twitch response** – the muscle may give a brief twitch when "
                        "the needle reaches the trigger point, which suggests it is in the right "
                        "place.\n"
                        "4. **Needle retention** – needles are often left in place for around "
                        "10–30 minutes as you lie back and rest.\n"
                        "5. **After the treatment** – the needles are removed and disposed of "
                        "safely. Some soreness for 24–48 hours is expected, and you will usually "
                        "be given exercises or advice to follow at home.\n\n"
                        "Most sessions use somewhere between 5 and 12 needles, depending on how "
                        "many trigger points are treated. Many people also have manual therapy or "
                        "exercise in the same appointment."
                    ),
                },
                {
                    "heading": "Does dry needling hurt?",
                    "body": (
                        "Most people feel very little as the needle goes in, usually no more than "
                        "a quick prick or pinch. The needles are much finer than those used for "
                        "injections or blood tests.\n\n"
                        "The local twitch response can feel odd and may cause a brief, deep ache "
                        "or cramp-like feeling in the muscle. This passes within moments. Your "
                        "physiotherapist will check how you are throughout, and you can ask them "
                        "to pause or stop at any time.\n\n"
                        "Afterwards, it is common for the treated muscles to feel sore or bruised "
                        "for 24–48 hours. This is much like the achiness you might notice a day or "
                        "two after unfamiliar exercise, known as delayed onset muscle soreness "
                        "(DOMS), and it usually settles by itself. An ice pack wrapped in a cloth, "
                        "gentle movement and carrying on with your normal daily activities can all "
                        "help.\n\n"
                        "Contact your physiotherapist if the soreness lasts longer than a couple "
                        "of days, seems to be getting worse, or if you notice any symptoms that "
                        "worry you."
                    ),
                },
                {
                    "heading": "How many sessions will I need?",
                    "body": (
                        "This varies from person to person, so your physiotherapist will give you "
                        "an estimate after your assessment and review it as you go. As a rough "
                        "guide, many people need 3–6 sessions before they notice a clear "
                        "improvement.\n\n"
                        "- **Recent (acute) injuries** sometimes respond within 1–3 sessions.\n"
                        "- **Long-standing (chronic) problems** often need 6–10 sessions spread "
                        "over 4–8 weeks.\n\n"
                        "Sessions are usually weekly to begin with. As your symptoms improve, they "
                        "are often spaced out to once a fortnight, and then stopped once you can "
                        "manage well with exercise and self-care.\n\n"
                        "Dry needling is normally one part of a treatment plan rather than the "
                        "whole of it. It tends to be combined with exercise and manual therapy, "
                        "and the exercises you do between appointments often matter as much as the "
                        "needling itself. If you have noticed no change after a few sessions, ask "
                        "your physiotherapist whether a different approach might suit you better."
                    ),
                },
                {
                    "heading": "How much does dry needling cost in London?",
                    "body": (
                        "London clinics price dry needling in a few different ways, so it is worth "
                        "checking what a quoted fee includes:\n\n"
                        "- **Included within a physiotherapy session** – needling is one of "
                        "several techniques used during a standard appointment, with no separate "
                        "charge.\n"
                        "- **Added to a standard session for a supplement** – some clinics charge "
                        "an extra fee on top of their usual session price when needling is used.\n"
                        "- **As part of an initial assessment** – your first, usually longer, "
                        "appointment may include needling if it is appropriate on the day.\n"
                        "- **In follow-up sessions** – later appointments that include needling "
                        "are often charged at the clinic's normal follow-up rate.\n\n"
                        "The figures shown on this page are worked out from the prices that the "
                        "clinics listed in our directory publish, and they are updated as clinics "
                        "change their fees. What you pay can still vary with the physiotherapist's "
                        "experience, the length of the appointment and the part of London.\n\n"
                        "Most UK health insurers will pay for dry needling when it is given by a "
                        "physiotherapist within a treatment plan, although you may need a GP "
                        "referral or pre-authorisation first. For a wider picture, including "
                        "assessment and follow-up fees, see our guide to [physiotherapy costs in "
                        "London](/costs/)."
                    ),
                },
                {
                    "heading": "Dry needling or acupuncture: what's the difference?",
                    "body": (
                        "Both treatments use the same kind of fine, solid needle, and to a patient "
                        "they can look and feel quite similar. The differences lie mainly in the "
                        "thinking behind them, how practitioners are trained and how the needles "
                        "are used.\n\n"
                        "- **Dry needling** is based on Western anatomy and on how muscles and "
                        "nerves work. Needles are placed in trigger points and tight muscles that "
                        "your physiotherapist has linked to your symptoms.\n"
                        "- **Traditional acupuncture** is based on traditional Chinese medicine. "
                        "Needles are placed at points along meridians, which that system describes "
                        "as channels for the flow of the body's energy.\n\n"
                        "In practice the line is not always sharp. Many UK physiotherapists "
                        "practise a Western medical form of acupuncture, and some use both "
                        "approaches. Our [acupuncture guide](/treatments/acupuncture/) explains "
                        "more.\n\n"
                        "A physiotherapist will normally combine needling with exercise, manual "
                        "therapy and advice, as part of evidence-based care. An acupuncturist may "
                        "use needles as a treatment in their own right. Both approaches can help "
                        "some people. Which suits you depends on the practitioner's training, the "
                        "problem being treated and your own preference, so it is reasonable to ask "
                        "about a practitioner's qualifications and approach before you book."
                    ),
                },
            ],
            "faqs": [
                {
                    "question": "Is dry needling safe?",
                    "answer": (
                        "For most people, yes, when it is carried out by a properly trained "
                        "physiotherapist. Serious problems are very rare. The usual side effects "
                        "are mild and short-lived: soreness in the treated muscle, a little "
                        "bleeding or bruising where a needle went in and, now and then, feeling "
                        "tired for a while afterwards.\n\n"
                        "Rare but more serious risks, such as a needle reaching the lung when "
                        "muscles over the chest wall are treated, are one reason why training and "
                        "careful technique matter. Each needle is sterile and single-use, so it is "
                        "thrown away straight after treatment, and physiotherapists follow strict "
                        "infection-control procedures. Tell your physiotherapist about any health "
                        "conditions or medicines before treatment starts."
                    ),
                },
                {
                    "question": "Can dry needling help with chronic pain?",
                    "answer": (
                        "It can help some people, particularly when tight muscles and trigger "
                        "points are part of the picture. Studies suggest it may reduce "
                        "long-standing neck, shoulder and low back pain for a time, although "
                        "results vary and the benefit is often modest.\n\n"
                        "Chronic pain usually has several contributing factors, so dry needling "
                        "tends to work best as one part of a wider plan that includes exercise, "
                        "manual therapy and an explanation of how pain works (pain education). "
                        "NICE guidance on chronic primary pain lists a single course of "
                        "acupuncture or dry needling as one option to consider. Your "
                        "physiotherapist can talk through whether it is likely to be useful for "
                        "you."
                    ),
                },
                {
                    "question": "Is dry needling covered by health insurance?",
                    "answer": (
                        "Usually, yes. Most UK health insurers, including Bupa, AXA Health and "
                        "Vitality, will generally pay for dry needling when a physiotherapist "
                        "provides it as part of treatment for a muscle, joint or tendon problem. "
                        "Cover depends on your own policy, so check the terms, any limit on "
                        "sessions and whether you need a GP referral or pre-authorisation before "
                        "your first appointment. Some insurers also ask the physiotherapist to "
                        "record that needling was clinically necessary."
                    ),
                },
            ],
        },
    },
    {
        "name": "Acupuncture",
        "slug": "acupuncture",
        "summary": (
            "Fine needles placed at selected points to ease pain, practised by many UK "
            "physiotherapists in a Western medical form alongside exercise and advice."
        ),
        "related": ["dry-needling", "manual-therapy", "exercise-rehabilitation"],
        "conditions": [
            (
                "headaches",
                (
                    "Muscles of the neck, shoulders and scalp, including upper trapezius and "
                    "temporalis"
                ),
            ),
            ("neck-pain", "Neck and upper back muscles, including trapezius and levator scapulae"),
            (
                "shoulder-pain",
                "Muscles and soft tissues around the shoulder joint and shoulder blade",
            ),
            (
                "myofascial-pain-syndrome",
                "Tender points in the affected muscles, often around the neck, shoulders and back",
            ),
            (
                "chronic-pain",
                (
                    "Points in and around the painful area, chosen to calm how the nervous system "
                    "handles pain"
                ),
            ),
        ],
        "guide": {
            "title": "Acupuncture: a physiotherapy treatment guide",
            "seo_title": "Acupuncture from physiotherapists in London",
            "seo_description": (
                "How UK physiotherapists use acupuncture, which conditions it may help, what a "
                "session involves and how many sessions people usually need."
            ),
            "intro": (
                "Many physiotherapists in the UK use acupuncture as one part of treatment for "
                "pain. Most practise a Western medical form, which explains its effects through "
                "the nervous system rather than traditional Chinese medicine, and combine it with "
                "exercise and advice. This guide explains what it involves and what the evidence "
                "suggests."
            ),
            "sessions_min": 4,
            "sessions_max": 8,
            "reviewer_name": "Rupert Placeholder",
            "reviewer_credentials": (
                "MCSP, HCPC-registered physiotherapist with post-graduate acupuncture training "
                "(fictional reviewer for demo data)"
            ),
            "reviewed_on": "2026-03-02",
            "sections": [
                {
                    "heading": "What is acupuncture in physiotherapy?",
                    "body": (
                        "Acupuncture involves placing very fine, sterile needles through the skin "
                        "at chosen points on the body. Traditional acupuncture comes from Chinese "
                        "medicine, which describes points along meridians through which energy is "
                        "thought to flow.\n\n"
                        "Physiotherapists in the UK usually practise Western medical acupuncture. "
                        "They often use many of the same points, but choose them using anatomy, "
                        "such as where nerves and muscles lie, and explain their effects through "
                        "the way the nervous system processes pain. Acupuncture is normally one "
                        "part of a wider plan rather than a treatment on its own. Many "
                        "physiotherapists who offer it have completed post-graduate training, for "
                        "example through the Acupuncture Association of Chartered Physiotherapists "
                        "(AACP)."
                    ),
                },
                {
                    "heading": "How is it thought to work?",
                    "body": (
                        "Researchers are still working out exactly how acupuncture affects pain. "
                        "Evidence suggests the needles stimulate nerves in the skin and muscle, "
                        "prompting the brain and spinal cord to release the body's own "
                        "pain-relieving chemicals, such as endorphins, and to turn down pain "
                        "signals. The needle sensation may also block some pain messages in the "
                        "spinal cord, a little like rubbing a knock.\n\n"
                        "These effects can be short-lived, so physiotherapists tend to use "
                        "acupuncture to make movement and exercise more comfortable while you "
                        "build strength and confidence. Studies that compare real acupuncture with "
                        "sham (pretend) needling often find smaller differences than expected, "
                        "which is one reason its benefits are described cautiously."
                    ),
                },
                {
                    "heading": "Which conditions can it help?",
                    "body": (
                        "Physiotherapists most often use acupuncture for muscle and joint pain, "
                        "including neck pain, shoulder pain and myofascial pain syndrome. NICE "
                        "guidance suggests considering a course of acupuncture to help prevent "
                        "chronic tension-type headaches, and for migraine when some preventive "
                        "medicines are unsuitable or have not worked. NICE also lists a single "
                        "course of acupuncture as one option for some people with chronic primary "
                        "pain.\n\n"
                        "The evidence does not support acupuncture for every condition. NICE "
                        "currently advises against it for low back pain and for osteoarthritis, so "
                        "your physiotherapist may suggest other approaches, such as [exercise "
                        "rehabilitation](/treatments/exercise-rehabilitation/), for these."
                    ),
                },
                {
                    "heading": "What happens during a session?",
                    "body": (
                        "Your physiotherapist will assess you first and ask about your health, "
                        "including pregnancy, bleeding disorders, blood-thinning medicines, any "
                        "implanted electrical device and any worries about needles. They will "
                        "explain the treatment and ask for your consent.\n\n"
                        "Needles are sterile, used once and left in place for anywhere from a few "
                        "minutes to around half an hour. You may feel a brief prick, followed by a "
                        "dull ache, heaviness or tingling, which is normal. Some people feel "
                        "relaxed or drowsy afterwards, so take a few minutes before driving.\n\n"
                        "A course is often 4–8 sessions, usually weekly at first. For headache "
                        "prevention, NICE describes a course of up to 10 sessions over five to "
                        "eight weeks."
                    ),
                },
            ],
            "faqs": [
                {
                    "question": "Is acupuncture from a physiotherapist safe?",
                    "answer": (
                        "When it is given by a trained, registered practitioner, serious side "
                        "effects are rare. Mild effects such as soreness, slight bleeding or "
                        "bruising, drowsiness or feeling faint can happen and usually pass "
                        "quickly. Needles are sterile and used only once."
                    ),
                },
                {
                    "question": "Is it the same as traditional Chinese acupuncture?",
                    "answer": (
                        "Not quite. The needles and many of the points can be the same, but "
                        "physiotherapists usually choose points and explain their effects using "
                        "Western anatomy and physiology rather than meridian theory. They also "
                        "tend to combine acupuncture with exercise and other physiotherapy. See "
                        "our [dry needling guide](/treatments/dry-needling/) for a related "
                        "technique."
                    ),
                },
                {
                    "question": "Will my health insurance cover it?",
                    "answer": (
                        "Many UK health insurers cover acupuncture when a physiotherapist gives it "
                        "as part of treatment for a muscle or joint problem. Policies differ, so "
                        "check your cover, and whether you need a referral or pre-authorisation, "
                        "before booking."
                    ),
                },
            ],
        },
    },
    {
        "name": "Sports massage",
        "slug": "sports-massage",
        "summary": (
            "Firm, targeted massage of muscles and soft tissues, used to ease tightness and "
            "soreness and to support recovery from training or injury."
        ),
        "related": ["manual-therapy", "dry-needling", "exercise-rehabilitation"],
        "conditions": [
            (
                "sports-injuries",
                (
                    "Muscles loaded by your sport, such as the hamstrings, quadriceps, calves and "
                    "shoulders"
                ),
            ),
            (
                "muscle-strains",
                "Hamstring, calf and quadriceps muscles, once early healing is under way",
            ),
            (
                "neck-pain",
                "Upper trapezius, levator scapulae and the muscles at the base of the skull",
            ),
            ("back-pain", "Paraspinal muscles, quadratus lumborum and the gluteal muscles"),
            ("it-band-syndrome", "Tensor fasciae latae, the gluteal muscles and the outer thigh"),
            ("myofascial-pain-syndrome", "Tight bands and trigger points in the affected muscles"),
        ],
        "guide": {
            "title": "Sports massage: a treatment guide",
            "seo_title": "Sports massage in London: what to expect",
            "seo_description": (
                "What sports massage involves, who it may help, how it feels and how often people "
                "book it, with a cautious look at what the evidence shows."
            ),
            "intro": (
                "Sports massage is a firm, focused form of massage aimed at the muscles and soft "
                "tissues you rely on in sport, work and daily life. You do not need to be an "
                "athlete to have it. In a physiotherapy clinic it is often combined with exercise "
                "and advice as part of a wider plan."
            ),
            "sessions_min": 1,
            "sessions_max": 4,
            "reviewer_name": "Priya Samplewood",
            "reviewer_credentials": (
                "MCSP, HCPC-registered sports physiotherapist (fictional reviewer for demo data)"
            ),
            "reviewed_on": "2025-06-01",
            "sections": [
                {
                    "heading": "What is sports massage?",
                    "body": (
                        "Sports massage uses a range of hands-on techniques, such as long strokes, "
                        "kneading, deep pressure and stretching, on particular muscle groups. It "
                        "is usually firmer than a relaxing massage and concentrates on the areas "
                        "that feel tight, sore or overworked.\n\n"
                        "It may be given by a physiotherapist or by a sports massage therapist. "
                        "Physiotherapists are regulated by the Health and Care Professions Council "
                        "(HCPC) and can also assess and treat injuries. Sports massage therapists "
                        "are not regulated by law, so check that yours holds a recognised "
                        "qualification and professional insurance."
                    ),
                },
                {
                    "heading": "How might it help?",
                    "body": (
                        "Evidence suggests sports massage can reduce the muscle soreness that "
                        "follows hard exercise and help many people feel less stiff and more "
                        "relaxed. It may also ease tension in tight muscles for a while, making "
                        "stretching and exercise more comfortable.\n\n"
                        "Its effect on performance itself is less clear, and massage is unlikely "
                        "to heal an injury on its own. It tends to work best alongside a "
                        "structured exercise or training plan, such as [exercise "
                        "rehabilitation](/treatments/exercise-rehabilitation/) after an injury."
                    ),
                },
                {
                    "heading": "Which conditions can it help?",
                    "body": (
                        "Sports massage is commonly used for tightness and soreness linked to "
                        "sports injuries, for muscle strains once the early healing phase has "
                        "passed, and for neck pain and back pain where tight muscles play a part. "
                        "Runners and cyclists with IT band syndrome often have it on the hip and "
                        "thigh muscles, and it can be one part of care for myofascial pain "
                        "syndrome.\n\n"
                        "It is not suitable straight after a significant injury, or over a "
                        "suspected blood clot, broken skin, an infection or a recent fracture. If "
                        "you are unsure, ask a physiotherapist to assess you first."
                    ),
                },
                {
                    "heading": "What happens during a session?",
                    "body": (
                        "Sessions often last 30–60 minutes. The therapist asks about your "
                        "training, symptoms and health, then checks the areas to be treated. You "
                        "usually lie on a couch, with only the area being worked on uncovered, and "
                        "oil or lotion may be used.\n\n"
                        "The pressure can feel firm and at times uncomfortable, but it should not "
                        "be painful, so say if you would like it lighter. Mild soreness for a day "
                        "or two afterwards is common. Many people book one to four sessions around "
                        "a training block or an injury, and some carry on with occasional "
                        "maintenance sessions."
                    ),
                },
            ],
            "faqs": [
                {
                    "question": "Will sports massage hurt?",
                    "answer": (
                        "It can feel intense over tight areas, but it should stay within a level "
                        "you can relax into. Tell your therapist straight away if anything feels "
                        "sharp or too strong. Some tenderness the next day is normal and usually "
                        "fades within a day or two."
                    ),
                },
                {
                    "question": "Should I have a massage before or after an event?",
                    "answer": (
                        "A short, lighter massage before an event may help you feel ready, but "
                        "deep work is best avoided in the day or two before you compete. After an "
                        "event, gentle massage may ease soreness once you have cooled down and "
                        "rehydrated. Leave firmer work until the following days."
                    ),
                },
                {
                    "question": "Is sports massage covered by health insurance?",
                    "answer": (
                        "Often only when a physiotherapist provides it as part of treatment for an "
                        "injury. Standalone massage is frequently excluded, so check your policy "
                        "before you book."
                    ),
                },
            ],
        },
    },
    {
        "name": "Manual therapy",
        "slug": "manual-therapy",
        "summary": (
            "Hands-on treatment in which a physiotherapist moves stiff joints and works on soft "
            "tissues to ease pain and stiffness, usually combined with exercise."
        ),
        "related": ["exercise-rehabilitation", "sports-massage", "dry-needling"],
        "conditions": [
            ("back-pain", "Joints of the lower back and pelvis, with the muscles around them"),
            ("neck-pain", "Joints of the neck and upper back, with the muscles around them"),
            (
                "headaches",
                (
                    "Upper neck joints and the suboccipital muscles, for headaches that start in "
                    "the neck"
                ),
            ),
            ("shoulder-pain", "The shoulder joint, shoulder blade and upper back"),
            ("hip-pain", "The hip joint capsule and the surrounding muscles"),
            ("knee-pain", "The knee and kneecap joints and the muscles around them"),
        ],
        "guide": {
            "title": "Manual therapy: a treatment guide",
            "seo_title": "Manual therapy in London: a patient guide",
            "seo_description": (
                "What manual therapy involves, from joint mobilisation and manipulation to soft "
                "tissue work, which conditions it may help and what to expect."
            ),
            "intro": (
                "Manual therapy is the hands-on part of physiotherapy. Your physiotherapist uses "
                "their hands to move stiff joints and work on tight muscles and other soft "
                "tissues, with the aim of easing pain and helping you move more freely. It is "
                "usually combined with exercise so that any improvement lasts."
            ),
            "sessions_min": 3,
            "sessions_max": 6,
            "reviewer_name": "Dr Owen Mockford",
            "reviewer_credentials": (
                "PhD, MCSP, HCPC-registered physiotherapist (fictional reviewer for demo data)"
            ),
            "reviewed_on": "2026-01-20",
            "sections": [
                {
                    "heading": "What is manual therapy?",
                    "body": (
                        "Manual therapy covers several hands-on techniques:\n\n"
                        "- **Joint mobilisation** – slow, rhythmic movements of a joint, within or "
                        "towards the end of its range.\n"
                        "- **Manipulation** – a single quick, small movement of a joint, which "
                        "sometimes produces a click.\n"
                        "- **Soft tissue techniques** – massage-style pressure, stretching and "
                        "release work on muscles, tendons and connective tissue.\n\n"
                        "Your physiotherapist chooses techniques based on your assessment, your "
                        "preferences and how your symptoms respond. Manipulation is not suitable "
                        "for everyone, and they will check for reasons to avoid it first."
                    ),
                },
                {
                    "heading": "How is it thought to work?",
                    "body": (
                        "Manual therapy probably works mainly through the nervous system. Moving a "
                        "joint or pressing on tissue sends new signals that can reduce pain and "
                        "protective muscle tension for a while. Current evidence does not support "
                        "the idea that it puts bones or joints back in place.\n\n"
                        "Because the relief is often temporary, manual therapy is most useful when "
                        "it helps you move and exercise more comfortably. NICE guidance for low "
                        "back pain, for example, suggests considering it only as part of a "
                        "treatment package that includes exercise."
                    ),
                },
                {
                    "heading": "Which conditions can it help?",
                    "body": (
                        "Physiotherapists use manual therapy for back pain and neck pain, for "
                        "headaches that start in the neck, and for stiffness and pain in the "
                        "shoulder, hip and knee. It can also help joints that have stiffened after "
                        "an injury, an operation or a spell of reduced movement.\n\n"
                        "For hip and knee osteoarthritis, NICE suggests manual therapy only "
                        "alongside therapeutic exercise, so expect your physiotherapist to pair "
                        "the two. Our guide to [exercise "
                        "rehabilitation](/treatments/exercise-rehabilitation/) explains that side "
                        "of treatment."
                    ),
                },
                {
                    "heading": "What happens during a session?",
                    "body": (
                        "After assessing how you move and where you are stiff or sore, your "
                        "physiotherapist will explain what they plan to do and ask for your "
                        "consent. Techniques are usually carried out with you lying or sitting on "
                        "a couch, and you should be able to stay relaxed. Some pressure or mild "
                        "discomfort is normal, but say if anything feels sharply painful.\n\n"
                        "You may feel a little sore for a day or so afterwards. Many people need "
                        "3–6 sessions, with exercises to do at home in between."
                    ),
                },
            ],
            "faqs": [
                {
                    "question": "Is spinal manipulation safe?",
                    "answer": (
                        "For most people, yes, when it is carried out by a trained professional "
                        "after a proper assessment. Temporary soreness or stiffness is common. "
                        "Serious complications are rare, and your physiotherapist will check for "
                        "warning signs and health conditions that make manipulation unsuitable. "
                        "You can always ask for gentler techniques instead."
                    ),
                },
                {
                    "question": "How is manual therapy different from massage?",
                    "answer": (
                        "Massage works only on soft tissues, while manual therapy also includes "
                        "moving the joints themselves. A physiotherapist uses it as part of a plan "
                        "based on a diagnosis, usually alongside exercise and advice."
                    ),
                },
            ],
        },
    },
    {
        "name": "Shockwave therapy",
        "slug": "shockwave-therapy",
        "summary": (
            "Pulses of acoustic energy passed through the skin into long-standing tendon and heel "
            "problems, usually alongside a strengthening programme."
        ),
        "related": ["exercise-rehabilitation", "dry-needling", "manual-therapy"],
        "conditions": [
            ("plantar-fasciitis", "The plantar fascia where it attaches to the heel bone"),
            (
                "achilles-tendinopathy",
                "The Achilles tendon, in its middle section or where it joins the heel",
            ),
            ("tennis-elbow", "The common extensor tendon on the outside of the elbow"),
            ("hip-pain", "Gluteal tendons over the outer hip (greater trochanteric pain syndrome)"),
            ("shoulder-pain", "Rotator cuff tendons, particularly calcific tendinopathy"),
            ("knee-pain", "The patellar tendon just below the kneecap"),
        ],
        "guide": {
            "title": "Shockwave therapy: a treatment guide",
            "seo_title": "Shockwave therapy in London: a patient guide",
            "seo_description": (
                "What shockwave therapy is, which tendon and heel problems it is used for, what "
                "the evidence shows and what to expect during a course of treatment."
            ),
            "intro": (
                "Shockwave therapy, also called extracorporeal shockwave therapy (ESWT), sends "
                "pulses of acoustic energy through the skin into painful tissue. Physiotherapy "
                "clinics mainly use it for tendon and heel problems that have not settled with "
                "exercise and other care. It involves no needles or cuts, and the evidence for it "
                "is mixed."
            ),
            "sessions_min": 3,
            "sessions_max": 5,
            "reviewer_name": "Hannah Fixture",
            "reviewer_credentials": (
                "MCSP, HCPC-registered physiotherapist (fictional reviewer for demo data)"
            ),
            "reviewed_on": "2026-05-11",
            "sections": [
                {
                    "heading": "What is shockwave therapy?",
                    "body": (
                        "A handheld applicator is pressed against the skin over the painful area "
                        "and delivers a rapid series of pulses. Clinics use two main types: radial "
                        "shockwave, which spreads energy over a wider, shallower area, and focused "
                        "shockwave, which concentrates it at a deeper point.\n\n"
                        "It is usually offered for problems that have lasted several months and "
                        "have not improved with a well-structured exercise programme. It is not a "
                        "first-line treatment, and it is normally given alongside strengthening "
                        "exercises rather than instead of them."
                    ),
                },
                {
                    "heading": "How is it thought to work?",
                    "body": (
                        "The exact mechanism is still being studied. The pulses may reduce pain by "
                        "overstimulating and then calming local nerve endings, and laboratory "
                        "research suggests they may encourage new blood vessel growth and repair "
                        "in tendons.\n\n"
                        "NICE has reviewed shockwave therapy for several conditions, including "
                        "plantar fasciitis, Achilles tendinopathy and tennis elbow. It found no "
                        "major safety concerns, but judged the evidence on how well it works to be "
                        "inconsistent. It is best seen as one option among several, not a "
                        "guaranteed fix."
                    ),
                },
                {
                    "heading": "Which conditions can it help?",
                    "body": (
                        "Shockwave therapy is mostly used for long-standing tendon and connective "
                        "tissue problems, including plantar fasciitis, Achilles tendinopathy, "
                        "tennis elbow, pain over the outer hip from the gluteal tendons (often "
                        "called greater trochanteric pain syndrome), calcific tendinopathy in the "
                        "shoulder and patellar tendinopathy in the knee.\n\n"
                        "It is not suitable for everyone. It is usually avoided during pregnancy, "
                        "over areas affected by cancer or infection, in people with some "
                        "blood-clotting problems or taking blood-thinning medicines, and near "
                        "bones that are still growing. Your physiotherapist will also ask about "
                        "any recent steroid injections."
                    ),
                },
                {
                    "heading": "What happens during a session?",
                    "body": (
                        "Your physiotherapist will assess the area and check that shockwave "
                        "therapy is suitable. Gel is applied to the skin and the applicator is "
                        "moved over the painful spot for a few minutes. The intensity usually "
                        "starts low and is adjusted to what you can tolerate.\n\n"
                        "Treatment can be uncomfortable, often described as strong tapping, but it "
                        "is brief. The area may feel sore, look red or swell slightly for a day or "
                        "two. A typical course is 3–5 sessions, roughly a week apart, and any "
                        "benefit may take several weeks to show. You may be advised to avoid "
                        "strenuous or high-impact activity for a day or two afterwards."
                    ),
                },
            ],
            "faqs": [
                {
                    "question": "Does shockwave therapy hurt?",
                    "answer": (
                        "It is often uncomfortable while it is happening, especially over the most "
                        "sensitive spot, but each treatment lasts only a few minutes and the "
                        "intensity can be turned down. Soreness afterwards usually settles within "
                        "a day or two."
                    ),
                },
                {
                    "question": "How soon will I notice a difference?",
                    "answer": (
                        "Some people notice less pain after the first few sessions, but "
                        "improvement often builds gradually over the following weeks or months. "
                        "Keeping up your exercise programme during this time is important."
                    ),
                },
                {
                    "question": "Is shockwave therapy covered by health insurance?",
                    "answer": (
                        "Cover varies. Some insurers pay for it for specific conditions when a "
                        "physiotherapist recommends it, while others exclude it or need "
                        "pre-authorisation. Check your policy before starting a course."
                    ),
                },
            ],
        },
    },
    {
        "name": "Exercise rehabilitation",
        "slug": "exercise-rehabilitation",
        "summary": (
            "A tailored, progressive exercise programme, planned and reviewed by a "
            "physiotherapist, to rebuild strength, movement and confidence after injury or pain."
        ),
        "related": ["manual-therapy", "hydrotherapy", "shockwave-therapy"],
        "conditions": [
            ("back-pain", "Trunk, hip and leg muscles that support and move the lower back"),
            ("knee-pain", "Quadriceps, hamstrings and the hip muscles that control the knee"),
            ("hip-pain", "Gluteal muscles, hip flexors and the tendons of the outer hip"),
            ("shoulder-pain", "The rotator cuff and the muscles that control the shoulder blade"),
            (
                "achilles-tendinopathy",
                "The Achilles tendon and the calf muscles (gastrocnemius and soleus)",
            ),
            (
                "muscle-strains",
                "The strained muscle, often a hamstring, calf or quadriceps, reloaded step by step",
            ),
            (
                "sports-injuries",
                "The injured area, plus the strength, balance and movement your sport demands",
            ),
            (
                "chronic-pain",
                "Whole-body strength and fitness, built up gradually through graded activity",
            ),
        ],
        "guide": {
            "title": "Exercise rehabilitation: a treatment guide",
            "seo_title": "Exercise rehabilitation in London: a patient guide",
            "seo_description": (
                "How physiotherapy exercise programmes are planned and progressed, which "
                "conditions they help, what sessions involve and how long they last."
            ),
            "intro": (
                "Exercise rehabilitation means working through a programme of exercises designed "
                "around your body, your problem and your goals. It sits at the centre of most "
                "physiotherapy, and for many muscle, joint and tendon problems it has stronger "
                "evidence behind it than any single hands-on treatment."
            ),
            "sessions_min": 4,
            "sessions_max": 8,
            "reviewer_name": "Marcus Exampleton",
            "reviewer_credentials": (
                "MSc, MCSP, HCPC-registered physiotherapist (fictional reviewer for demo data)"
            ),
            "reviewed_on": "2026-07-08",
            "sections": [
                {
                    "heading": "What is exercise rehabilitation?",
                    "body": (
                        "Your physiotherapist assesses how you move, where you are weak or stiff "
                        "and what you want to get back to, then builds a programme to match. It "
                        "may include strengthening, stretching, balance work, general fitness and "
                        "practice of the movements you need for work, sport or daily life.\n\n"
                        "The key is gradual progression. Exercises start at a level you can manage "
                        "and become harder as your body adapts, with your physiotherapist "
                        "adjusting the plan as you go. Most of the work happens at home or in the "
                        "gym between appointments."
                    ),
                },
                {
                    "heading": "Why does it help?",
                    "body": (
                        "Muscles, tendons and bones adapt to the load placed on them. Increasing "
                        "that load carefully helps them grow stronger and better able to cope with "
                        "everyday demands. Exercise can also make the nervous system less "
                        "sensitive to pain, improve mood and sleep, and rebuild confidence in "
                        "moving after an injury.\n\n"
                        "NICE guidance recommends exercise as a core treatment for osteoarthritis "
                        "and for chronic primary pain, and suggests considering an exercise "
                        "programme for low back pain. Evidence also suggests it can lower the "
                        "chance of some sports injuries coming back."
                    ),
                },
                {
                    "heading": "Which conditions can it help?",
                    "body": (
                        "Exercise rehabilitation plays a part in treating almost every muscle and "
                        "joint problem. Common examples include back pain, knee pain, hip pain, "
                        "shoulder pain, Achilles tendinopathy, muscle strains and recovery from "
                        "sports injuries. It is also central to managing chronic pain, where the "
                        "aim is often to increase what you can do, steadily and at your own "
                        "pace.\n\n"
                        "Tendon problems in particular tend to respond to structured loading "
                        "programmes, which often run for three months or more."
                    ),
                },
                {
                    "heading": "What happens during a session?",
                    "body": (
                        "Supervised sessions usually involve checking how you are getting on, "
                        "reviewing your technique and moving your exercises on. Some clinics have "
                        "a gym area or run small group classes. You will normally be given a "
                        "written or app-based home programme.\n\n"
                        "Many people have 4–8 supervised sessions spread over several weeks, with "
                        "longer gaps between appointments as their confidence grows. Your "
                        "physiotherapist will explain how much discomfort during exercise is "
                        "acceptable and what to do if your symptoms flare."
                    ),
                },
            ],
            "faqs": [
                {
                    "question": "Should exercise hurt?",
                    "answer": (
                        "Some discomfort can be acceptable, especially with tendon problems and "
                        "long-standing pain, as long as it settles within about a day and is not "
                        "building from week to week. Your physiotherapist will help you find the "
                        "right level. Sharp pain, or symptoms that keep getting worse, are a "
                        "reason to stop and ask for advice."
                    ),
                },
                {
                    "question": "Do I need to join a gym?",
                    "answer": (
                        "No. Many programmes use your own body weight, resistance bands or "
                        "everyday household items. A gym can help later on if you need heavier "
                        "loads, but it is not essential."
                    ),
                },
                {
                    "question": "How long before I see results?",
                    "answer": (
                        "Some people feel better within a few weeks, but building strength and "
                        "changing how tissues cope with load takes longer, often two to three "
                        "months or more. Sticking with the programme is usually the biggest "
                        "factor."
                    ),
                },
            ],
        },
    },
    {
        "name": "Hydrotherapy",
        "slug": "hydrotherapy",
        "summary": (
            "Exercise and physiotherapy in a warm pool, where the water supports your weight, "
            "helping people move more easily when exercise on land is too painful."
        ),
        "related": ["exercise-rehabilitation", "manual-therapy"],
        "conditions": [
            ("hip-pain", "The hip joint and gluteal muscles, including after a hip replacement"),
            ("knee-pain", "The knee joint, quadriceps and hamstrings, including in osteoarthritis"),
            (
                "back-pain",
                "Trunk and hip muscles, with the water's buoyancy easing load on the spine",
            ),
            ("chronic-pain", "Whole-body movement and fitness with less load on painful joints"),
            (
                "sports-injuries",
                "Lower-limb injuries during the early return to walking and running",
            ),
        ],
        "guide": {
            "title": "Hydrotherapy: a treatment guide",
            "seo_title": "Hydrotherapy (aquatic physiotherapy) in London",
            "seo_description": (
                "What hydrotherapy involves, who it may help, what happens in a pool session, "
                "safety points to discuss and how it fits with exercise on land."
            ),
            "intro": (
                "Hydrotherapy, also called aquatic physiotherapy, is exercise and treatment "
                "carried out in a warm pool under the guidance of a physiotherapist. The water "
                "supports part of your weight and its warmth can help muscles relax, which can "
                "make movement easier when exercising on land is difficult."
            ),
            "sessions_min": 4,
            "sessions_max": 6,
            "reviewer_name": "Grace Stubbington",
            "reviewer_credentials": (
                "MCSP, HCPC-registered physiotherapist (fictional reviewer for demo data)"
            ),
            "reviewed_on": "2026-10-05",
            "sections": [
                {
                    "heading": "What is hydrotherapy?",
                    "body": (
                        "Hydrotherapy takes place in a specially designed pool that is warmer than "
                        "a typical swimming pool, with the water usually around chest height. A "
                        "physiotherapist guides you through exercises to improve movement, "
                        "strength, balance and fitness, either one-to-one or in a small group.\n\n"
                        "You do not need to be able to swim. Pools have steps, rails and often a "
                        "hoist, and the physiotherapist stays with you or close by throughout. Not "
                        "every clinic has its own pool, so sessions may take place at a hospital "
                        "or a shared facility."
                    ),
                },
                {
                    "heading": "How does it help?",
                    "body": (
                        "Buoyancy takes some of your body weight, reducing the load on painful or "
                        "recently operated joints. The water also gives gentle resistance in every "
                        "direction, which helps build strength, and its pressure around the body "
                        "may help reduce swelling. The warmth can ease muscle tension and make "
                        "stretching more comfortable.\n\n"
                        "Evidence suggests pool exercise can bring small improvements in pain and "
                        "function for some people with osteoarthritis and long-standing pain, at "
                        "least in the short term. Because the goal is to move well on land, it is "
                        "usually combined with, or followed by, a land-based exercise programme."
                    ),
                },
                {
                    "heading": "Which conditions can it help?",
                    "body": (
                        "Hydrotherapy is often used for hip pain and knee pain, including "
                        "osteoarthritis and recovery after a joint replacement once the wound has "
                        "fully healed, and for back pain when exercise on land is hard to "
                        "tolerate. It can help people with chronic pain build up activity gently, "
                        "and support the early stages of returning to walking and running after "
                        "some sports injuries.\n\n"
                        "Tell your physiotherapist about open wounds or skin infections, heart or "
                        "breathing problems, epilepsy, continence problems or sensitivity to pool "
                        "chemicals, as these may mean pool therapy is unsafe or needs adapting."
                    ),
                },
                {
                    "heading": "What happens during a session?",
                    "body": (
                        "You will normally have an assessment on land first. Pool sessions often "
                        "last around 30–45 minutes, as exercising in warm water can be more tiring "
                        "than expected. Bring a swimming costume, a towel and a drink, and allow "
                        "time to shower and rest afterwards.\n\n"
                        "Many people have a block of 4–6 sessions and then carry on with exercise "
                        "on land, or at a local pool on their own, using a programme from their "
                        "physiotherapist."
                    ),
                },
            ],
            "faqs": [
                {
                    "question": "Do I need to be able to swim?",
                    "answer": (
                        "No. Most exercises are done standing or holding on to the side, in water "
                        "that is usually around chest height, and the physiotherapist will help "
                        "you get in and out safely."
                    ),
                },
                {
                    "question": "Will I feel tired afterwards?",
                    "answer": (
                        "Many people do, as exercising in warm water is more tiring than it feels "
                        "at the time. Rest, drink some water and avoid planning anything strenuous "
                        "straight afterwards, especially after your first session."
                    ),
                },
                {
                    "question": "Is hydrotherapy covered by health insurance?",
                    "answer": (
                        "Some policies cover hydrotherapy when a physiotherapist provides it as "
                        "part of a treatment plan, but cover varies. Check your policy and ask "
                        "whether you need a referral or pre-authorisation."
                    ),
                },
            ],
        },
    },
]
