#include "llactr/methods/elec_options.h"

#include <cmath>

#include "llactr/methods/option_checks.h"

namespace llactr::methods {

namespace {

const std::pair<const char*, ElecLlmTune> kTunes[] = {{"lora", ElecLlmTune::Lora}, {"frozen", ElecLlmTune::Frozen}};
const std::pair<const char*, ElecInject> kInjects[] = {{"field", ElecInject::Field}, {"hidden", ElecInject::Hidden}};
const std::pair<const char*, ElecSchedule> kSchedules[] = {{"joint", ElecSchedule::Joint},
                                                          {"two-stage", ElecSchedule::TwoStage}};

}  // namespace

ElecLlmTune parse_elec_llm_tune(const std::string& s) { return parse_enum("elec-llm-tune", s, kTunes); }
ElecInject parse_elec_inject(const std::string& s) { return parse_enum("elec-inject", s, kInjects); }
ElecSchedule parse_elec_schedule(const std::string& s) { return parse_enum("elec-schedule", s, kSchedules); }
const char* elec_llm_tune_name(ElecLlmTune t) { return enum_name(t, kTunes); }
const char* elec_inject_name(ElecInject i) { return enum_name(i, kInjects); }
const char* elec_schedule_name(ElecSchedule s) { return enum_name(s, kSchedules); }

void ElecOptions::validate() const {
  auto num = [](double x) { return std::to_string(x); };
  if (llm_rows < 0) bad_option("elec-llm-rows", num(double(llm_rows)), "must be >= 0 (0 = every train row)");
  if (llm_valid_rows < 0) bad_option("elec-llm-valid-rows", num(double(llm_valid_rows)), "must be >= 0 (0 = every row)");
  if (llm_epochs < 1) bad_option("elec-llm-epochs", num(llm_epochs), "must be >= 1");
  if (llm_patience < 1) bad_option("elec-llm-patience", num(llm_patience), "must be >= 1");
  if (!(llm_lr > 0) || !std::isfinite(llm_lr)) bad_option("elec-llm-lr", num(llm_lr), "must be a finite number > 0");
  if (llm_batch < 1) bad_option("elec-llm-batch", num(llm_batch), "must be >= 1");
  if (lora.rank < 1) bad_option("elec-lora-r", num(lora.rank), "must be >= 1");
  if (!(lora.dropout >= 0 && lora.dropout < 1)) bad_option("elec-lora-dropout", num(lora.dropout), "must be in [0, 1)");
  if (t_hidden < 1) bad_option("elec-t-hidden", num(t_hidden), "must be >= 1");
  if (!(alpha >= 0) || !std::isfinite(alpha)) bad_option("elec-alpha", num(alpha), "must be a finite number >= 0");
  if (!(beta >= 0) || !std::isfinite(beta)) bad_option("elec-beta", num(beta), "must be a finite number >= 0");
  if (!(tau > 0) || !std::isfinite(tau)) bad_option("elec-tau", num(tau), "must be a finite number > 0");
  if (!without_llm && model_path.empty()) bad_option("llm-model", "''", "ELEC needs a GGUF model (or --elec-without-llm)");
}

}  // namespace llactr::methods
