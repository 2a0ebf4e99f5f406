// run_experiment's charts (SVG via svg_plot.h), written next to results.md.
#pragma once
#include <cstdint>
#include <string>

#include "llactr/apps/results.h"
#include "llactr/apps/svg_plot.h"

namespace llactr {

// Test AUC per backbone, one bar per method; error bars = sample std over seeds when there are
// several. Throws std::invalid_argument when the dataset has no runs.
svg::BarChart auc_bar_chart(const std::vector<RunRecord>& runs, const std::string& dataset);

// Validation AUC per epoch, one line per (backbone, method), for one seed of one dataset.
svg::LineChart valid_auc_chart(const std::vector<EpochRecord>& epochs, const std::string& dataset, uint64_t seed);

}  // namespace llactr
