"""The Learn page's text: each mechanism and therapy, and things to try (data, no logic).

The text follows the project's domain brief and the scenario files' opening comments; the
parameter tables are filled from the schema at run time, so units and ranges never drift.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.library import ArmSpec

SPINAL = "spinal_cord_untreated"
CRUSH = "peripheral_crush_untreated"


@dataclass(frozen=True)
class Try:
    """A thing to try: a comparison the Compare page can load, and what to look for."""

    title: str
    look_for: str
    arms: tuple[ArmSpec, ...]
    metrics: tuple[str, ...]
    days: int | None = None

    def preset(self) -> dict:
        """What the Compare page loads."""
        out = {"title": self.title, "arms": list(self.arms), "metrics": list(self.metrics)}
        if self.days is not None:
            out["days"] = self.days
        return out


@dataclass(frozen=True)
class Topic:
    """One mechanism or therapy."""

    key: str
    title: str
    what: str
    model: str
    numbers: str
    params: tuple[str, ...]
    scenarios: tuple[str, ...] = ()
    tries: tuple[Try, ...] = field(default=())


MECHANISMS: tuple[Topic, ...] = (
    Topic(
        "inflammation",
        "Inflammation: neutrophils and M1/M2 macrophages",
        "Injured tissue releases danger signals. Neutrophils arrive within a day and die within "
        "days; macrophages (and microglia in the cord) peak around a week. Most are "
        "pro-inflammatory (M1); a small, transient share turns pro-repair (M2).",
        "Neutrophils are recruited where the cytokine field is high, secrete more cytokine, live "
        "about a day and turn apoptotic. Monocytes answer cytokine and debris signals and arrive "
        "as M1 macrophages. They eat debris (myelin debris keeps them M1) and switch to M2 after "
        "eating an apoptotic neutrophil, in trophic factor, or after taking up vesicles. M2 "
        "cells secrete trophic factor and mop up cytokine.",
        "Neutrophil peak ~day 1, macrophage peak ~day 7; cytokines diffuse ~5-50 µm²/s and last "
        "20 min to hours in tissue (decay length ~100-400 µm).",
        (
            "neutrophil.lifespan_h",
            "neutrophil.recruit_per_mm2_per_h",
            "macrophage.recruit_per_mm2_per_h",
            "macrophage.to_m2_per_h",
            "macrophage.myelin_m1_drive",
            "fields.cytokine.decay_per_h",
        ),
        (SPINAL, CRUSH),
        (
            Try(
                "Make macrophages turn pro-repair faster",
                "Double the M1 → M2 switching rate in an untreated spinal cord. Watch M2 cells, "
                "inflammation and neuron survival.",
                (
                    ArmSpec(SPINAL, "untreated"),
                    ArmSpec(
                        SPINAL, "untreated, faster M2", extra_toml="macrophage.to_m2_per_h = 0.1"
                    ),
                ),
                ("macrophages_m2_count", "inflammation_mean_au", "neuron_survival_fraction"),
            ),
        ),
    ),
    Topic(
        "scar",
        "The glial scar (spinal cord)",
        "Reactive astrocytes wall off the lesion with a scar rich in chondroitin sulfate "
        "proteoglycans (CSPGs). It forms over days 5-14 and is mature by about two weeks; "
        "regrowing axons stall at it.",
        "Astrocytes become reactive over days in cytokine, divide, migrate to the lesion border "
        "and deposit CSPG into the scar field. A growth cone slows with scar, stops at "
        "`growth_cone.scar_stall` and may collapse and retract.",
        "Scar forms over days 5-14, mature by ~day 14; axons barely cross a mature CNS scar.",
        (
            "astrocyte.activation_per_h",
            "astrocyte.scar_per_h",
            "growth_cone.scar_stall",
            "growth_cone.collapse_rate_per_h",
        ),
        (SPINAL, "spinal_cord_chabc"),
        (
            Try(
                "Digest the scar with chondroitinase ABC",
                "Chondroitinase ABC is given on day 7; its activity halves every day. Watch the "
                "scar area fall while it acts and come back after, and whether more axons cross.",
                (
                    ArmSpec(SPINAL),
                    ArmSpec("spinal_cord_chabc"),
                    ArmSpec("spinal_cord_chabc_rehab"),
                ),
                ("scar_area_fraction", "axons_bridged_fraction", "function_index"),
            ),
        ),
    ),
    Topic(
        "regrowth",
        "Axon regrowth and debris: spinal cord versus peripheral nerve",
        "Cut peripheral axons regrow one to three millimetres a day along repair Schwann cells; "
        "debris is cleared in days. In the spinal cord, axons have little intrinsic growth, myelin "
        "debris lingers for weeks, and the scar blocks them.",
        "Each injured neuron has a growth cone that steps along the nerve, up the trophic "
        "gradient, faster on Schwann bands, slower in debris, scar and inflammation. Debris is a "
        "field that phagocytes (and repair Schwann cells) eat.",
        "PNS growth ~1-3 mm/day (Gutmann et al. 1942; model: 109 µm/h top speed, calibrated, "
        "slowed by low trophic support, debris and inflammation, about 1.7 mm/day in a crush); "
        "spinal cord "
        "intrinsic growth 0.118 of the peripheral value.",
        (
            "growth_cone.speed_um_per_h",
            "growth_cone.debris_inhibition_half",
            "cns.intrinsic_growth",
            "schwann.phagocytosis_per_h",
        ),
        (SPINAL, CRUSH),
        (
            Try(
                "Spinal cord versus peripheral crush, untreated",
                "The same kind of cells, a different tissue. Compare how many axons cross the "
                "lesion and how fast debris goes.",
                (ArmSpec(SPINAL), ArmSpec(CRUSH)),
                ("axons_bridged_fraction", "debris_remaining_fraction", "axon_length_mean_um"),
            ),
        ),
    ),
    Topic(
        "schwann_muscle",
        "Schwann cells and the target muscle (peripheral nerve)",
        "After a peripheral injury Schwann cells turn into repair cells, clear debris, secrete "
        "NGF and line up into guidance bands. The target muscle wastes while it has no nerve; the "
        "later axons arrive, the less it recovers.",
        "Distal Schwann cells lose their axons, become repair cells, divide, spread into a gap and "
        "form bands; their repair capacity fades with chronic denervation. The muscle atrophies "
        "while denervated and loses recoverable end-plates over time.",
        "Repair Schwann support fades over months; axons regrow ~1-3 mm/day to the muscle "
        "(`injury.distal_path_um` away: 30 mm in the crush scenarios); a repair cell an axon "
        "reaches keeps clearing and dividing for about a week before it myelinates the axon.",
        (
            "schwann.dedifferentiation_per_h",
            "schwann.repair_fade_per_h",
            "muscle.atrophy_per_h",
            "muscle.endplate_loss_per_h",
            "injury.distal_path_um",
        ),
        (CRUSH, "peripheral_transection_untreated"),
        (
            Try(
                "Crush versus a cut with a 1 mm gap",
                "In a cut nerve, Schwann cells must first fill the gap. Watch when the muscle is "
                "reinnervated and how much of it is left.",
                (ArmSpec(CRUSH), ArmSpec("peripheral_transection_untreated")),
                ("reinnervated_fraction", "muscle_mass_index", "axons_bridged_fraction"),
                84,
            ),
            Try(
                "A longer way to the muscle",
                "Move the muscle 3 cm further away. Axons need weeks longer, and the muscle "
                "wastes meanwhile.",
                (
                    ArmSpec(CRUSH, "crush, 8 mm to muscle"),
                    ArmSpec(
                        CRUSH, "crush, 38 mm to muscle", extra_toml="injury.distal_path_um = 38000"
                    ),
                ),
                ("reinnervated_fraction", "muscle_mass_index"),
                84,
            ),
        ),
    ),
    Topic(
        "host",
        "The host: diabetes and age",
        "Diabetes brings poor blood supply and low-grade inflammation; age slows axon growth. "
        "Both worsen peripheral nerve repair.",
        "A diabetic host has a baseline cytokine source, weaker Schwann support and slower "
        "macrophage recruitment; age takes a share of growth speed per decade past 30.",
        "Illustrative factors only (see the table): the model changes rates, never outcomes.",
        (
            "host.diabetic_cytokine_per_h",
            "host.diabetic_schwann_factor",
            "host.age_growth_loss_per_decade",
        ),
        (CRUSH, "peripheral_crush_diabetic"),
        (
            Try(
                "A 60-year-old diabetic host",
                "The same crush in a young and in an older diabetic host, and MSCs in the "
                "diabetic host.",
                (
                    ArmSpec(CRUSH),
                    ArmSpec("peripheral_crush_diabetic"),
                    ArmSpec("peripheral_crush_diabetic_msc"),
                ),
                ("inflammation_mean_au", "axons_bridged_fraction", "muscle_mass_index"),
            ),
        ),
    ),
    Topic(
        "sprouting",
        "Spared fibres sprout: recovery without regeneration",
        "Most recovery after an incomplete spinal injury comes not from cut axons regrowing "
        "across the lesion but from the fibres it spared: their collaterals sprout around the "
        "lesion and contact relay neurons and motor pools below it (Weidner, Ner & Tuszynski "
        "2001; Bareyre et al. 2004). Many sprouts are pruned; those that are used stay. CSPGs of "
        "the scar border restrain them, so chondroitinase ABC lets spared fibres sprout more "
        "(Barritt et al. 2006), and training makes use of the sprouts (Garcia-Alias et al. 2009).",
        "One number per run, the share of the cut fibres' targets that collaterals reach. New "
        "contacts form toward what the spared fibres can supply, slower where the rim of tissue "
        "around the lesion holds CSPG (read from the scar field), faster with training; unused "
        "contacts are pruned, fewer with training. It settles where forming and pruning balance, "
        "so less CSPG or more training raises the plateau. The BBB score and AIS grade count it "
        "in descending connectivity. Switch: `mechanisms.spared_sprouting`.",
        "Timescale of weeks (spontaneous corticospinal sprouting within 2-4 weeks; new "
        "intraspinal circuits by 12 weeks). The rates are assumed; their sources are in the "
        "table.",
        (
            "sprouting.rate_per_h",
            "sprouting.pruning_per_h",
            "sprouting.collateral_reach",
            "sprouting.cspg_half_au",
        ),
        (SPINAL, "spinal_cord_chabc", "spinal_cord_chabc_rehab"),
        (
            Try(
                "Turn the sprouting off",
                "The untreated severe contusion with and without collateral sprouting: how much "
                "of the score comes from spared fibres' sprouts?",
                (
                    ArmSpec(SPINAL),
                    ArmSpec(SPINAL, "no sprouting", mechanisms_off=("spared_sprouting",)),
                ),
                ("bbb_score", "descending_connectivity_fraction"),
                84,
            ),
            Try(
                "Chondroitinase, with and without training",
                "Digesting CSPG raises the sprouts' plateau a little; training uses them.",
                (
                    ArmSpec(SPINAL),
                    ArmSpec("spinal_cord_chabc"),
                    ArmSpec("spinal_cord_chabc_rehab"),
                ),
                ("bbb_score", "scar_area_fraction", "descending_connectivity_fraction"),
                84,
            ),
        ),
    ),
    Topic(
        "gaps",
        "Long gaps: why a short tube works and a long one does not",
        "When a nerve is cut and its ends cannot be sewn together, surgeons bridge the gap. In a "
        "silicone tube the stumps' exudate forms a fibrin cable that Schwann cells and then axons "
        "follow; rat gaps of 6-10 mm bridge, 15 mm do not (Lundborg et al. 1982; Williams et al. "
        "1983). Longer gaps need an autograft (a piece of the patient's own sensory nerve, used "
        "up to about 5 cm) or an engineered conduit that brings its own matrix or cells.",
        "The gap beyond the grid is a one-dimensional bridge. In a hollow tube a fibrin cable "
        "forms only where the exudate from both stumps is concentrated enough (about 12 mm at "
        "most); repair Schwann cells migrate in from both stumps along the matrix; a filled "
        "conduit brings the matrix, an autograft matrix and Schwann cells. A growth cone "
        "crosses only where the bridge carries Schwann cells.",
        "Measured (6 seeds, axons across by day 84): 6 mm tube about 0.9, 20 mm tube 0, 20 mm "
        "autograft about 0.86.",
        (
            "injury.gap_length_um",
            "injury.repair",
            "bridge.exudate_length_um",
            "bridge.fibrin_threshold",
            "bridge.schwann_front_um_per_h",
        ),
        (
            "peripheral_gap_6mm_tube",
            "peripheral_gap_20mm_tube",
            "peripheral_gap_20mm_conduit",
            "peripheral_gap_20mm_autograft",
        ),
        (
            Try(
                "6 mm and 20 mm in a tube, 20 mm with an autograft",
                "The short gap bridges in a tube, the long one does not; the autograft carries "
                "Schwann cells the whole way.",
                (
                    ArmSpec("peripheral_gap_6mm_tube"),
                    ArmSpec("peripheral_gap_20mm_tube"),
                    ArmSpec("peripheral_gap_20mm_autograft"),
                ),
                ("axons_bridged_fraction", "cmap_amplitude_percent", "sfi_score"),
                84,
            ),
            Try(
                "Stop the Schwann cells migrating",
                "Switch off `bridge_schwann_migration` in the 6 mm tube: the cable forms, but "
                "nothing guides the axons along it.",
                (
                    ArmSpec("peripheral_gap_6mm_tube"),
                    ArmSpec(
                        "peripheral_gap_6mm_tube",
                        "no Schwann migration",
                        mechanisms_off=("bridge_schwann_migration",),
                    ),
                ),
                ("axons_bridged_fraction", "reinnervated_fraction"),
                84,
            ),
        ),
    ),
    Topic(
        "delayed_repair",
        "Time is nerve: delayed repair",
        "The longer a cut nerve waits for repair, the less recovers, with a steep fall after "
        "about a month: the distal stump's Schwann cells lose their repair capacity and the "
        "muscle loses the end-plates it needs (Fu & Gordon 1995; Kobayashi et al. 1997).",
        "Until `injury.repair_day` the stumps stay apart and axons wait. Meanwhile the distal "
        "Schwann cells' capacity fades (`schwann.repair_fade_per_h`) and sets how fast axons "
        "grow along the stump once they cross, and the muscle loses end-plates while "
        "denervated. No rule mentions the delay: the loss comes from these two clocks.",
        "Measured (6 seeds, CMAP 70-84 days after repair): repair at day 90 reaches about half "
        "of what a day-0 repair does.",
        ("injury.repair_day", "schwann.repair_fade_per_h", "muscle.endplate_loss_per_h"),
        (
            "peripheral_delayed_repair_day0",
            "peripheral_delayed_repair_day30",
            "peripheral_delayed_repair_day90",
        ),
        (
            Try(
                "Repair on day 0, 30 or 90",
                "The same 6 mm autograft, made at three times. Compare the curves at the same "
                "time after each repair.",
                (
                    ArmSpec("peripheral_delayed_repair_day0"),
                    ArmSpec("peripheral_delayed_repair_day30"),
                    ArmSpec("peripheral_delayed_repair_day90"),
                ),
                ("cmap_amplitude_percent", "muscle_mass_index", "reinnervated_fraction"),
                180,
            ),
        ),
    ),
    Topic(
        "locomotion",
        "Walking again: the BBB score and spared fibres",
        "Rats are scored on the BBB scale (0 = no hindlimb movement, 21 = normal walking). After a "
        "contusion the score recovers over weeks and plateaus by 6-9 weeks, higher the more of "
        "the cord was spared: about 19 after a mild, 14 after a moderate and 7 after a severe "
        "injury (Basso et al. 1995, 1996).",
        "The score maps descending connectivity onto the scale: the share of the cross-section "
        "outside the lesion (its fibres were never cut, but inflammation blocks their conduction "
        "until it resolves), plus the axons that regrow or are relayed across the lesion, "
        "discounted where bare. The S-shaped mapping is illustrative, calibrated to the three "
        "published plateaus; therapies move the score only through the axons they help.",
        "Untreated at day 56 (20 seeds): mild 19.1, moderate 13.8, severe 7.0 (published 18-20, "
        "13-15, 6-8). Spared fibres conduct at half strength at `outcomes.conduction_block_half_au`"
        " of cytokine (nitric oxide blocks conduction reversibly: Redford et al. 1997).",
        (
            "injury.severity",
            "outcomes.conduction_block_half_au",
            "outcomes.bbb_midpoint",
            "outcomes.bbb_width",
        ),
        ("spinal_cord_mild", "spinal_cord_moderate", SPINAL),
        (
            Try(
                "Mild, moderate and severe",
                "The same untreated contusion at three severities: the score climbs over the "
                "first weeks as inflammation clears, then levels off at three different heights.",
                (
                    ArmSpec("spinal_cord_mild"),
                    ArmSpec("spinal_cord_moderate"),
                    ArmSpec(SPINAL),
                ),
                ("bbb_score", "descending_connectivity_fraction", "inflammation_mean_au"),
                63,
            ),
        ),
    ),
)

THERAPIES: tuple[Topic, ...] = (
    Topic(
        "ipsc_npc",
        "Cell transplant: iPSC-derived neural progenitors",
        "Keio University (2025) injected about 2 million iPSC-derived neural stem/progenitor "
        "cells into the lesion 14-28 days after a complete spinal cord injury, with "
        "immunosuppression; 2 of 4 patients improved, with no serious adverse events at one "
        "year. Grafted cells can become neurons and glia. Risks: poor survival, rejection, and "
        "tumours from undifferentiated cells.",
        "Grafted cells are clusters of 50,000. They die at a hazard of inflammation (worst in "
        "the acute, inflamed site) and immune attack (less under immunosuppression or in a "
        "scaffold). Progenitors become neuron-like relay cells, which can carry signals across "
        "the lesion, and myelinating glia; an undifferentiated cell can start a clone, counted "
        "as a tumour event once it is large enough (~4 weeks later).",
        "2 million cells at 14-28 days (Keio); 1-30 % of grafted cells survive, worse acutely, "
        "better after a 1-2 week delay and with immunosuppression.",
        (
            "interventions.cell_transplant.dose_cells",
            "interventions.cell_transplant.day",
            "interventions.cell_transplant.immunosuppression_days",
            "transplant.inflammation_death_per_h",
            "transplant.immune_attack_per_h",
            "transplant.transformation_per_cell_h",
        ),
        (
            "spinal_cord_ipsc_npc_day21",
            "spinal_cord_ipsc_npc_acute",
            "spinal_cord_ipsc_npc_no_immunosuppression",
            "spinal_cord_ipsc_npc_undifferentiated",
        ),
        (
            Try(
                "Transplant on day 1 instead of day 21",
                "The same cells into the acutely inflamed cord. Watch graft survival: how many "
                "of the delivered cells are still alive.",
                (
                    ArmSpec("spinal_cord_ipsc_npc_day21", "transplant day 21"),
                    ArmSpec(
                        "spinal_cord_ipsc_npc_day21",
                        "transplant day 1",
                        therapy=((0, "day", 1.0),),
                    ),
                ),
                ("grafted_survival_fraction", "grafted_cells_alive_count", "function_index"),
            ),
            Try(
                "Stop the immunosuppression",
                "Without the drugs the immune system attacks the graft unchecked.",
                (
                    ArmSpec("spinal_cord_ipsc_npc_day21", "180 days of drugs"),
                    ArmSpec(
                        "spinal_cord_ipsc_npc_day21",
                        "no drugs",
                        therapy=((0, "immunosuppression_days", 0.0),),
                    ),
                ),
                ("grafted_cells_alive_count", "relay_connections_count", "function_index"),
            ),
            Try(
                "More undifferentiated cells",
                "20 % instead of 1 % of the cells still undifferentiated: tumour events appear "
                "weeks later, in some seeds only.",
                (
                    ArmSpec("spinal_cord_ipsc_npc_day21"),
                    ArmSpec("spinal_cord_ipsc_npc_undifferentiated"),
                ),
                ("tumor_events_count", "grafted_cells_alive_count"),
                84,
            ),
        ),
    ),
    Topic(
        "msc",
        "Cell transplant: mesenchymal stromal cells (MSCs)",
        "MSCs calm inflammation and feed tissue through what they secrete; they rarely become "
        "nerve cells and carry little tumour risk. Given intravenously, most are trapped in the "
        "lungs within an hour and gone within about 3 days.",
        "MSC clusters secrete trophic factor and vesicles (a paracrine effect) and rarely "
        "differentiate. Intravenous cells sit in a lung depot that is cleared over days; only a "
        "small share reaches the lesion, and a trickle of their vesicles does.",
        "IV MSCs: ~1 % home to the lesion in the model, lungs cleared in ~3 days.",
        (
            "transplant.msc_trophic_per_h",
            "transplant.msc_ev_per_h",
            "transplant.iv_homing_fraction",
            "transplant.iv_lung_clearance_per_h",
        ),
        ("spinal_cord_msc_local", "spinal_cord_msc_iv", "peripheral_crush_msc_iv_repeated"),
        (
            Try(
                "Intravenous versus local MSCs",
                "The same 2 million cells, injected into the lesion or into a vein.",
                (
                    ArmSpec(SPINAL),
                    ArmSpec("spinal_cord_msc_local"),
                    ArmSpec("spinal_cord_msc_iv"),
                ),
                ("grafted_cells_alive_count", "inflammation_mean_au", "neuron_survival_fraction"),
            ),
        ),
    ),
    Topic(
        "ev",
        "Extracellular vesicles (EVs, exosomes)",
        "Konkuk University with Seoul National University (2025) made vesicles carrying the NGF "
        "gene from neural crest cells derived from a patient's urine cells (via iPSCs) and "
        "injected them into a mouse peripheral nerve injury: better neuron survival, less "
        "inflammation, longer axons, more myelin and less muscle wasting, with no cells "
        "transplanted, so no tumour or rejection risk.",
        "Vesicles enter a field at the lesion, spread and decay within about a day; they act "
        "only when cells take them up: macrophages shift to M2 and make less cytokine, neurons "
        "are protected, glia myelinate faster, and NGF cargo makes the cells that take it up "
        "secrete NGF for a while. Each effect has its own mechanism switch.",
        "Systemic elimination half-life 2.5-13 h in mice; local residence hours to a few days. "
        "Dose and repeat schedule decide how long they act.",
        (
            "interventions.ev.dose_particles",
            "interventions.ev.doses",
            "ev.clearance_half_life_h",
            "ev.m2_drive_per_au",
            "ev.neuroprotection_per_au",
            "ev.ngf_trophic_per_au_h",
        ),
        ("spinal_cord_ev", "peripheral_crush_ev_ngf", "peripheral_crush_ev_ngf_repeated"),
        (
            Try(
                "Turn off the vesicles' anti-inflammatory effect",
                "Switch off mechanisms.ev_anti_inflammatory: what is left of the EV benefit?",
                (
                    ArmSpec(SPINAL),
                    ArmSpec("spinal_cord_ev", "EV"),
                    ArmSpec(
                        "spinal_cord_ev",
                        "EV, anti-inflammatory off",
                        mechanisms_off=("ev_anti_inflammatory",),
                    ),
                ),
                ("inflammation_mean_au", "macrophages_m2_count", "neuron_survival_fraction"),
            ),
            Try(
                "One dose or four weekly doses of EV-NGF",
                "Vesicles are cleared within hours: does repeating them help more than one dose?",
                (
                    ArmSpec(CRUSH),
                    ArmSpec("peripheral_crush_ev_ngf"),
                    ArmSpec("peripheral_crush_ev_ngf_repeated"),
                ),
                ("myelinated_fraction", "muscle_mass_index", "neuron_survival_fraction"),
            ),
            Try(
                "NGF cargo or empty vesicles",
                "The same vesicles with and without the NGF gene, in a peripheral crush.",
                (
                    ArmSpec(CRUSH),
                    ArmSpec("peripheral_crush_ev"),
                    ArmSpec("peripheral_crush_ev_ngf"),
                ),
                ("axon_length_mean_um", "myelinated_fraction", "muscle_mass_index"),
            ),
        ),
    ),
    Topic(
        "adjuncts",
        "Chondroitinase ABC, rehabilitation and scaffolds",
        "Chondroitinase ABC is a short-lived enzyme that digests CSPG scar; it works best with "
        "task-specific rehabilitation. Scaffolds and hydrogels protect grafts and guide axons.",
        "Chondroitinase digests the scar field where it was injected, less as it loses "
        "activity. Training speeds growth, consolidates connections and slows muscle atrophy. "
        "A scaffold guides growth cones in "
        "the lesion and shields grafted cells from part of their death.",
        "Enzyme activity halves every day (it loses most within days at body temperature); "
        "training from day 14. Where chondroitinase makes axons cross: out of a bridge. Axons "
        "grow through a scaffold placed at injury but stop at the scar of its far end; by day 84 "
        "0.41 of them have left it with the enzyme, 0.08 without (20 seeds; studies of nerve "
        "bridges found the same, Cote et al. 2011). Without a bridge no axon crosses the "
        "library's contusion, with or without the enzyme (Iseda et al. 2008 found that after "
        "contusion); there chondroitinase with training helps through the spared fibres' "
        "sprouts.",
        (
            "interventions.chondroitinase.half_life_h",
            "adjuncts.chabc_scar_degradation_per_h",
            "adjuncts.rehab_growth_boost",
            "adjuncts.scaffold_guidance",
            "transplant.scaffold_protection",
        ),
        (
            "spinal_cord_chabc",
            "spinal_cord_chabc_rehab",
            "spinal_cord_scaffold",
            "spinal_cord_scaffold_chabc",
            "spinal_cord_ipsc_npc_scaffold",
        ),
        (
            Try(
                "Let axons out of a bridge",
                "A scaffold at injury with and without chondroitinase: axons reach the far end "
                "of the bridge in both; watch how many leave it (axons bridged) after day 56.",
                (
                    ArmSpec("spinal_cord_scaffold"),
                    ArmSpec("spinal_cord_scaffold_chabc"),
                ),
                ("axons_bridged_fraction", "scar_area_fraction", "axon_length_mean_um"),
            ),
            Try(
                "A graft in a scaffold",
                "The day-21 transplant with and without a bridging scaffold.",
                (
                    ArmSpec("spinal_cord_ipsc_npc_day21"),
                    ArmSpec("spinal_cord_ipsc_npc_scaffold"),
                ),
                ("grafted_cells_alive_count", "axons_bridged_fraction", "function_index"),
            ),
        ),
    ),
)

#: The outcomes people measure, and how the model describes itself.
OUTCOMES: tuple[Topic, ...] = (
    Topic(
        "ais",
        "People: the AIS grade, and conversion without treatment",
        "Clinicians grade a spinal cord injury on the ASIA Impairment Scale: A complete (no "
        "movement or feeling in the lowest sacral segments), B sensory incomplete, C and D motor "
        "incomplete (fewer or more than half the key muscles below the injury move against "
        "gravity), E normal. Some complete injuries improve with no therapy: 11-30 % of AIS A "
        "patients become incomplete within a year, about 30 % after cervical injuries "
        "(Kirshblum et al. 2021, J Neurotrauma 38:1267). Keio University's iPSC trial (2025) "
        "reported 2 of 4 AIS A patients improving (to C and to D).",
        "The AIS grade reads the same descending connectivity as the BBB score (spared fibres "
        "that conduct, their sprouts, plus axons regrown or relayed across the lesion) through "
        "four thresholds, one per grade from B to E: an illustrative mapping, placed so that "
        "severe, moderate and mild contusions read A, C and D. A therapy changes the grade only "
        "through the connections it helps. Patients differ in how much cord their lesion "
        "destroys (injury.severity_sd): in the library's cohort of complete injuries, "
        "spinal_cord_severe_cohort, each seed is a patient whose lesion is drawn around 0.8 of "
        "the cross-section, and those with more spared tissue recover enough connectivity to "
        "become incomplete. Over 100 such virtual patients, 0.23 converted by day 84 "
        "(nervesim evidence, sci.natural_conversion). The Cohort page grades virtual patients "
        "at their first examination and again later, and their untreated twins (same seed, "
        "same lesion) show how often patients 'respond' with no therapy at all.",
        "What the model cannot show yet: a person. Its kinetics are a rat's (recovery levels "
        "off by days 56-84, standing for a person's first year), and the B threshold was "
        "placed by hand so that about a fifth of that cohort converts, so meeting the natural "
        "rate is a fit of the threshold, not an independent test. The spread of lesions is "
        "assumed. Keio's four patients give no rate to hold the model to; the Cohort page "
        "shows how often 2 of 4 would 'respond' by chance at the untreated twins' own rate.",
        (
            "outcomes.ais_baseline_day",
            "outcomes.ais_b_connectivity",
            "outcomes.ais_c_connectivity",
            "outcomes.ais_d_connectivity",
            "outcomes.ais_e_connectivity",
            "injury.severity",
            "injury.severity_sd",
        ),
        (SPINAL, "spinal_cord_ipsc_npc_day21"),
        (
            Try(
                "A transplant against untreated, graded",
                "Untreated vs the day-21 iPSC graft over 84 days: the untreated arm stays "
                "grade A; the graft's neurons relay host axons weeks after transplant, once "
                "they have matured. Then open **Cohort**: how many virtual patients gain a "
                "grade, and how many of their untreated twins do?",
                (ArmSpec(SPINAL), ArmSpec("spinal_cord_ipsc_npc_day21")),
                ("ais_grade", "bbb_score", "descending_connectivity_fraction"),
                84,
            ),
            Try(
                "Severity decides the grade",
                "Mild, moderate and severe contusions, untreated, over 84 days: on day 1 "
                "every injury is grade A while inflammation blocks the spared fibres; within two "
                "weeks, as it resolves, the moderate one reaches C and the mild one D, while the "
                "severe one stays A.",
                (
                    ArmSpec("spinal_cord_mild"),
                    ArmSpec("spinal_cord_moderate"),
                    ArmSpec(SPINAL),
                ),
                ("ais_grade", "bbb_score", "inflammation_mean_au"),
                84,
            ),
            Try(
                "Lesions that differ",
                "The severe contusion, untreated, with every patient's lesion the same and with "
                "lesions that differ (sd 0.05 of the cross-section), over 84 days: the first "
                "stays grade A in every seed; in the second, the patients whose lesion spared "
                "more tissue become incomplete (1 of 6 seeds in nervesim compare, 0.23 of 100 "
                "patients in nervesim evidence). That share is the natural conversion (11-30 % "
                "within a year in people); with few seeds it is a matter of luck.",
                (ArmSpec(SPINAL), ArmSpec("spinal_cord_severe_cohort")),
                ("ais_grade", "descending_connectivity_fraction", "bbb_score"),
                84,
            ),
        ),
    ),
    Topic(
        "conduction",
        "Nerve conduction, CMAP and gait: what a clinic measures",
        "A nerve conduction study stimulates a nerve and records downstream: the velocity (about "
        "45-55 m/s in a healthy adult leg nerve) falls when myelin is lost or thin, the "
        "amplitude falls when axons are lost. A compound muscle action potential (CMAP) reads "
        "the muscle the motor axons drive; the sciatic functional index (SFI, 0 normal, about "
        "-100 complete loss; Bain et al. 1989) reads a rat's footprints.",
        "One conduction rule for every outcome: a fibre's velocity runs from a bare axon's "
        "(about 1 m/s) to a normal myelinated fibre's with its myelin; a regrown fibre's myelin "
        "stays thinner (`conduction.remyelinated_quality`); the reported velocity is that of "
        "the fastest fibres. CMAP is the reinnervated share times the muscle's mass; the SFI an "
        "illustrative mapping of the same. They are not defined for a spinal cord injury (its "
        "muscles are not denervated).",
        "Measured (3 seeds, day 84 after a crush): CMAP about 71 % and velocity about 21 m/s: "
        "remyelination in the model is slow; rats recover more velocity than this.",
        (
            "conduction.normal_velocity_m_per_s",
            "conduction.remyelinated_quality",
            "conduction.fastest_share",
            "outcomes.sfi_complete_loss_points",
        ),
        (CRUSH, "peripheral_transection_untreated"),
        (
            Try(
                "Crush versus cut",
                "Velocity, CMAP and SFI after a crush and after a cut with a 1 mm gap.",
                (ArmSpec(CRUSH), ArmSpec("peripheral_transection_untreated")),
                ("conduction_velocity_m_per_s", "cmap_amplitude_percent", "sfi_score"),
                84,
            ),
        ),
    ),
    Topic(
        "ngf_pain",
        "NGF helps and hurts",
        "NGF keeps sensory neurons alive and speeds their axons, but it also sensitizes them: "
        "NGF causes thermal and mechanical hyperalgesia within hours to days (Lewin, Ritter & "
        "Mendell 1993), and pain has limited NGF as a drug (Apfel 2002).",
        "NGF around the regrowing axons raises a sensitization index that resolves over days "
        "once NGF falls. Vesicles carrying the NGF gene raise it as a side effect; debris "
        "clearance by the cells that take them up is unchanged. Switch: "
        "`mechanisms.ngf_pain_sensitization`.",
        "An illustrative index (0 none, 1 most), not a pain score.",
        ("pain.ngf_half_au", "pain.onset_per_h", "pain.resolve_per_h"),
        (CRUSH, "peripheral_crush_ev_ngf", "peripheral_crush_ev_ngf_repeated"),
        (
            Try(
                "One dose, four doses",
                "Untreated, one EV-NGF dose and four weekly doses: faster axons, and more "
                "sensitization while the NGF lasts.",
                (
                    ArmSpec(CRUSH),
                    ArmSpec("peripheral_crush_ev_ngf"),
                    ArmSpec("peripheral_crush_ev_ngf_repeated"),
                ),
                ("pain_sensitization_index", "axon_length_mean_um"),
                28,
            ),
        ),
    ),
    Topic(
        "odd",
        "How the model describes itself: the ODD protocol",
        "ODD (Overview, Design concepts, Details) is the standard way to describe an "
        "agent-based model so that others can understand, judge and rebuild it: its purpose "
        "and the patterns it must show; its entities, their state and the scales; the order "
        "things happen in each step; design concepts such as emergence, sensing, interaction "
        "and stochasticity; and how it starts, what data drive it and each submodel (Grimm et "
        "al. 2020, JASSS 23(2):7, the second update of the 2006 protocol).",
        "`nervesim odd` writes `docs/odd.md` from the code itself: the cell types in the order "
        "they act and the state each keeps, each call of one hourly step, the fields, every "
        "parameter with its units, range and source, the mechanism switches, the recorded "
        "metrics, the published anchors and the scenario library. Only the purpose and the "
        "design concepts are written by hand. A test regenerates the document and fails when "
        "the committed one has fallen behind, so the description cannot drift from the model.",
        "Every number in the model is a schema setting with units, a range and a source: a "
        "citation, 'assumed' (a modelling choice, often with the source of its order of "
        "magnitude) or 'calibrated' (fitted to a published anchor, as the BBB and AIS mappings "
        "are). The settings below show one of each kind, and a mechanism switch.",
        (
            "fields.trophic.diffusion_um2_per_h",
            "macrophage.to_m2_per_h",
            "outcomes.bbb_midpoint",
            "mechanisms.ev_anti_inflammatory",
        ),
        (SPINAL, CRUSH),
        (
            Try(
                "A pattern the description promises",
                "The ODD's first section lists the patterns the model is held to; the first is "
                "that neutrophils peak before macrophages. Compare a spinal cord with a crushed "
                "nerve over 28 days, then read the schedule in `docs/odd.md` (section 1.3): "
                "immune cells act first each hour, answering the previous hour's fields.",
                (ArmSpec(SPINAL), ArmSpec(CRUSH)),
                ("neutrophils_count", "macrophages_m1_count", "macrophages_m2_count"),
                28,
            ),
        ),
    ),
)

#: Chronic peripheral neuropathy, a disease rather than an injury.
NEUROPATHY: tuple[Topic, ...] = (
    Topic(
        "neuropathy",
        "Neuropathy dies back from the toes",
        "Diabetic and chemotherapy-induced neuropathy are chronic, length-dependent "
        "axonopathies: the longest sensory axons lose their distal ends first (a 'stocking' "
        "pattern), sensory amplitudes fall and, in diabetes, conduction slows. Sustained high "
        "HbA1c lays down damage that clears only over years, so better glucose control slows "
        "the loss but does not undo it at once (DCCT 1993, N Engl J Med 329:977).",
        "A reduced model of one leg's sensory fibres, 600-1000 mm long: each fibre's burden is "
        "its length times the stress per metre (glycation damage, glycaemic stress, a "
        "chemotherapy drug's load), so the longest die back first; fibres with capacity to "
        "spare regrow at 1 mm/day, as far as the Schwann-cell support of their distal pathway, "
        "which fades over months, allows. Velocity and amplitude come from the one conduction "
        "rule. Switches: `nerve_trophic_support`, `nerve_regrowth`.",
        "Day 0 is the first conduction study, after `neuropathy.disease_years` of disease; a "
        "6 h tick for the year after it. Many rates are assumed or fitted by hand; see the "
        "table.",
        (
            "host.hba1c_percent",
            "neuropathy.disease_years",
            "neuropathy.dieback_mm_per_day",
            "neuropathy.regrowth_mm_per_day",
            "neuropathy.pathway_half_life_days",
        ),
        (
            "neuropathy_diabetic_case_untreated",
            "neuropathy_diabetic_late_untreated",
            "neuropathy_chemo_oxaliplatin",
        ),
        (
            Try(
                "Early and late, untreated",
                "The seed article's patient after 8 years at HbA1c 8.2 % and a late-stage "
                "nerve after 20 years at 9 %: the late one has no measurable sural response.",
                (
                    ArmSpec("neuropathy_diabetic_case_untreated"),
                    ArmSpec("neuropathy_diabetic_late_untreated"),
                ),
                (
                    "sensory_velocity_m_per_s",
                    "snap_amplitude_percent",
                    "distal_fibre_density_percent",
                ),
                365,
            ),
            Try(
                "Oxaliplatin: coasting",
                "Twelve cycles of oxaliplatin: fibres keep dying back for weeks after the last "
                "dose, and velocity is spared while amplitudes fall.",
                (
                    ArmSpec("neuropathy_chemo_oxaliplatin"),
                    ArmSpec("neuropathy_chemo_oxaliplatin_treated"),
                ),
                ("distal_fibre_density_percent", "snap_amplitude_percent"),
                365,
            ),
        ),
    ),
    Topic(
        "neuropathy_case",
        "One case, three treatments: what made the difference?",
        "The seed article's patient (58 years, type 2 diabetes, HbA1c 8.2 %, sensory conduction "
        "30 % below normal) had glucose optimisation, an intravenous infusion of their own bone "
        "marrow MSCs and 12 weeks of rehabilitation; conduction improved by 1.8 m/s. With no "
        "control arm a single case cannot say which part worked.",
        "Glucose control moves HbA1c toward its target; the MSCs are trapped in the lungs and "
        "send vesicles, and the few that home secrete trophic factor; training adds support "
        "while it lasts. The fibres read the trophic factor and vesicles; support raises their "
        "capacity and remyelination.",
        "Measured (20 seeds): about +1.4 m/s over the untreated twin at 12 months (the case "
        "reported +1.8). In the model nearly all of the lasting gain is glucose control's; the "
        "MSCs lift conduction for a few months; the late-stage nerve barely responds.",
        (
            "interventions.glucose_control.target_hba1c_percent",
            "neuropathy.support_capacity_gain",
            "neuropathy.support_remyelination_gain",
        ),
        (
            "neuropathy_diabetic_case_treated",
            "neuropathy_diabetic_case_ev",
            "neuropathy_diabetic_late_treated",
        ),
        (
            Try(
                "The case, treated and untreated",
                "The same patient with and without the three treatments, and with local EVs "
                "instead of cells.",
                (
                    ArmSpec("neuropathy_diabetic_case_untreated"),
                    ArmSpec("neuropathy_diabetic_case_treated"),
                    ArmSpec("neuropathy_diabetic_case_ev"),
                ),
                ("sensory_velocity_m_per_s", "snap_amplitude_percent", "hba1c_percent"),
                365,
            ),
            Try(
                "Late stage, treated",
                "The same treatment in a nerve whose fibres were lost years ago.",
                (
                    ArmSpec("neuropathy_diabetic_late_untreated"),
                    ArmSpec("neuropathy_diabetic_late_treated"),
                ),
                ("snap_amplitude_percent", "distal_fibre_density_percent"),
                365,
            ),
        ),
    ),
)

#: How the outcome shown first is made (the model's own definition, in words).
FUNCTION_INDEX = (
    "The **function index** is an illustrative composite, not a clinical score: "
    "0.5 × connectivity + 0.3 × muscle recovery + 0.2 × neuron survival. Connectivity counts "
    "axons across the lesion (half for those relayed by graft neurons), more when they are "
    "myelinated; muscle recovery rescales the muscle between its atrophy floor (0) and full "
    "mass (1)."
)
