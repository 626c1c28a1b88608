"""Action ids the emulator knows by name, each with the motion family it plays.

Names are from Meshy's Animation Library (docs.meshy.ai/api/animation-library): ids 0-18 and 92
as read from Meshy's own page (CONFIRMED), the rest from a public mirror of that page (fetched
2026-04-17), single-id rows only. The family is chosen from the name; an id not listed here
still animates, with the generic motion (the add-on ships the full library, the emulator does
not need every name).
"""

from __future__ import annotations

import re

CONFIRMED = frozenset(range(19)) | {92}
#: The highest action id the library publishes (ComfyUI's Meshy node takes 0-696, the library's range).
ACTION_MAX = 696

_ROWS = """
0 Idle|1 Walking_Woman|2 Alert|3 Arise|4 Attack|5 BackLeft_run|6 BackRight_Run|7 BeHit_FlyUp|8 Dead
9 ForwardLeft_Run_Fight|10 ForwardRight_Run_Fight|11 Idle_02|12 Idle_03|13 Jump_Run|14 Run_02|15 Run_03
16 RunFast|17 Skill_01|18 Skill_02|19 Skill_03|20 Walk_Fight_Back|21 Walk_Fight_Forward|22 FunnyDancing_01
23 FunnyDancing_02|24 FunnyDancing_03|25 Agree_Gesture|26 Angry_Stomp|27 Big_Heart_Gesture|28 Big_Wave_Hello
29 Call_Gesture|30 Casual_Walk|31 Catching_Breath|32 Chair_Sit_Idle_F|33 Chair_Sit_Idle_M|34 Checkout_Gesture
35 Clapping_Run|36 Confused_Scratch|37 Discuss_While_Moving|38 Dozing_Elderly|39 Excited_Walk_F
40 Excited_Walk_M|41 Formal_Bow|42 Gentlemans_Bow|43 Handbag_Walk|44 Happy_jump_f|45 Indoor_Play|46 Jump_Rope
47 Listening_Gesture|48 Mirror_Viewing|49 Motivational_Cheer|50 Phone_Call_Gesture|51 Shouting_Angrily
52 Sit_to_Stand_Transition_F|53 Sit_to_Stand_Transition_M|54 Squat_Stance|55 Stage_Walk|56 Stand_and_Chat
57 Stand_to_Sit_Transition_M|58 Step_to_Sit_Transition|59 Victory_Cheer|60 Walk_to_Sit|61 happy_jump_m
62 penguin_walk|63 Arm_Circle_Shuffle|64 All_Night_Dance|65 Bass_Beats|66 Boom_Dance|67 Bubble_Dance
68 Cherish_Pop_Dance|69 Crystal_Beads|70 Cardio_Dance|71 Denim_Pop_Dance|72 Dont_You_Dare|73 Fast_Lightning
74 Gangnam_Groove|75 Indoor_Swing|76 Love_You_Pop_Dance|77 Magic_Genie|78 Not_Your_Mom|79 OMG_Groove
80 Pop_Dance_LSA2|81 Pod_Baby_Groove|82 Shake_It_Off_Dance|83 Superlove_Pop_Dance|84 You_Groove|85 Axe_Stance
86 Basic_Jump|87 Boxing_Practice|88 Chest_Pound_Taunt|89 Combat_Stance|90 Counterstrike|91 Double_Blade_Spin
92 Double_Combo_Attack|93 Dodge_and_Counter|94 Flying_Fist_Kick|95 Gun_Hold_Left_Turn|96 Kung_Fu_Punch
97 Left_Slash|98 Run_and_Shoot|99 Reaping_Swing|100 Rightward_Spin|101 Sword_Shout|102 Sword_Judgment
103 Simple_Kick|104 Side_Shot|105 Triple_Combo_Attack|106 Confident_Walk|107 Confident_Strut|108 Flirty_Strut
111 Injured_Walk|112 Monster_Walk|113 Mummy_Stagger|114 Proud_Strut|115 Quick_Walk|117 Red_Carpet_Walk
118 Skip_Forward|119 Slow_Orc_Walk|121 Thoughtful_Walk|122 Texting_Walk|123 Unsteady_Walk|124 Walking_with_Phone
125 Charged_Spell_Cast|127 Charged_Ground_Slam|128 Heavy_Hammer_Swing|147 Sword_Parry|165 Kneeling_Reload
171 Hit_Reaction_to_Waist|172 Electrocution_Reaction|173 Slap_Reaction|177 Gunshot_Reaction
180 Shot_in_the_Back_and_Fall|181 Electrocuted_Fall|182 Shot_and_Blown_Back|183 Shot_and_Fall_Backward
184 Shot_and_Fall_Forward|185 Shot_and_Slow_Fall_Backward|186 Strangled_and_Fall_Forward|187 Knock_Down
188 Fall_Dead_from_Abdominal_Injury|189 dying_backwards|190 Knock_Down_1|191 Left_Jab_from_Guard
192 Right_Jab_from_Guard|193 Left_Hook_from_Guard|194 Right_Uppercut_from_Guard|195 Right_Upper_Hook_from_Guard
196 Left_Uppercut_from_Guard|197 Left_Short_Hook_from_Guard|198 Punch_Combo|199 Weapon_Combo|206 Spartan_Kick
207 Roundhouse_Kick|208 Lunge_Roundhouse_Kick|212 Elbow_Strike|213 Leg_Sweep|215 High_Kick|216 Lunge_Spin_Kick
217 Sweeping_Kick|218 Step_in_High_Kick|219 Right_Hand_Sword_Slash|221 Charged_Upward_Slash|237 Charged_Axe_Chop
238 Axe_Spin_Attack|240 Thrust_Slash|242 Charged_Slash|258 CrouchLookAroundBow|269 sleep|317 Shrug
319 air_squat|326 jumping_jacks|333 Look_Around_Dumbfounded|336 Long_Breathe_and_Look_Around
338 Short_Breathe_and_Look_Around|341 Walk_Slowly_and_Look_Around|395 Breakdance_1990|402 Run_and_Leap
403 Victory_Fist_Pump|405 Joyful_Dance_with_Hand_Sway|408 Jazz_Hands|412 victory|415 Happy_Sway_Standing
417 Hop_with_Arms_Raised|452 Backflip|457 Jumping_Punch|459 Run_Jump_and_Roll|501 Leap_of_Faith
509 Lean_Forward_Sprint|510 Standard_Forward_Charge|524 Cautious_Crouch_Walk_Forward|553 Elderly_Shaky_Walk
554 Funky_Walk|559 Sneaky_Walk|561 Step_Hip_Hop_Dance|562 Stumble_Walk|563 Stylish_Walk|566 walking_2
568 Swim_Idle|569 Swim_Forward|571 Run_Turn_Left|572 Walk_Turn_Left|576 Idle_Turn_Left|586 Idle_Turn_Right
"""

# First match wins: a dying fall before a jump, a dance before a jump ("hip hop"), a jump before a
# run ("Jump_Run"), an attack before a run ("Run_and_Shoot").
_FAMILY_WORDS = (
    ("die", r"dead|dying|die|fall|knock_down|blown_back|behit"),
    ("dance", r"danc|groove|pop|shuffle|beats|bead|lightning|genie|mom|dare|jazz|sway|indoor_swing|squat_stance"),
    ("jump", r"jump|(?<![a-z])hop|leap|backflip|skip"),
    ("attack", r"attack|punch|kick|slash|strike|combo|jab|hook|uppercut|swing|shoot|side_shot|spell|slam|chop|"
               r"counter|parry|sweep|spin|stance|boxing|skill|judgment"),
    ("run", r"run|sprint|charge"),
    ("walk", r"walk|strut|stagger|stumble"),
    ("wave", r"wave|hello|gesture|cheer|clap|(?<![a-z])bow|shrug|victory|call|heart|scratch|shout|taunt|fist_pump"),
    ("idle", r"idle|breath|alert|look|stand|sit|chat|listen|mirror|doz|sleep|arise|play|squat|bow"),
)


def family_of(name: str) -> str:
    """The motion family for an action name (generic when no word matches)."""
    low = name.lower()
    for family, words in _FAMILY_WORDS:
        if re.search(words, low):
            return family
    return "generic"


def _parse() -> dict[int, tuple[str, str]]:
    table = {}
    for row in _ROWS.replace("\n", "|").split("|"):
        if row.strip():
            ident, name = row.strip().split(" ", 1)
            table[int(ident)] = (name, family_of(name))
    return table


ANIMATIONS: dict[int, tuple[str, str]] = _parse()


def lookup(action_id: int) -> tuple[str, str]:
    """(name, family) for any non-negative id: listed ids by name, others generic."""
    if isinstance(action_id, bool) or not isinstance(action_id, int) or action_id < 0:
        raise ValueError(f"action_id must be a non-negative integer, not {action_id!r}")
    return ANIMATIONS.get(action_id, (f"Action_{action_id}", "generic"))
