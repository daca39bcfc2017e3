// What every vote screen shares: the methods' names and explanations, the grades of majority
// judgment (best first, as the API names them) and the consent positions.

import { N_, t, tn } from "./common.js";

export const METHODS = {
  dot: N_("Dot voting"),
  majority: N_("Majority judgment"),
  approval: N_("Approval voting"),
  score: N_("Score voting"),
  consent: N_("Consent"),
};

export const GRADES = [
  { value: "excellent", label: N_("grade: excellent") },
  { value: "tres_bien", label: N_("grade: very good") },
  { value: "bien", label: N_("grade: good") },
  { value: "assez_bien", label: N_("grade: fairly good") },
  { value: "passable", label: N_("grade: passable") },
  { value: "insuffisant", label: N_("grade: insufficient") },
  { value: "a_rejeter", label: N_("grade: reject") },
];

export const CONSENT = [
  { value: "agree", label: N_("I agree") },
  { value: "reserve", label: N_("I agree with reservations") },
  { value: "object", label: N_("I object") },
];

export function methodLabel(method) {
  return METHODS[method] ? t(METHODS[method]) : method;
}

export function gradeLabel(value) {
  const grade = GRADES.find((g) => g.value === value);
  return grade ? t(grade.label) : value;
}

/** One sentence saying how the vote counts. */
export function explain(vote) {
  switch (vote.method) {
    case "dot": {
      const cap = Math.min(vote.max_per_option ?? vote.budget, vote.budget);
      return cap < vote.budget
        ? tn("Each person shares {n} dot among the options, at most {max} on one option; the options with the most dots win.",
          "Each person shares {n} dots among the options, at most {max} on one option; the options with the most dots win.",
          vote.budget, { max: cap })
        : tn("Each person shares {n} dot among the options, several on one option if they wish; the options with the most dots win.",
          "Each person shares {n} dots among the options, several on one option if they wish; the options with the most dots win.",
          vote.budget);
    }
    case "majority":
      return t("Each person grades every option, from Excellent to Reject; the option with the best median grade wins.");
    case "approval":
      return t("Each person ticks every option they approve of; the most approved option wins.");
    case "score":
      return t("Each person gives every option a score from 1 to 5; the best average wins.");
    case "consent":
      return t("Each person agrees, agrees with reservations or objects with a reason; the proposal passes if nobody objects.");
    default:
      return "";
  }
}
