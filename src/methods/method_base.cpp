// The method "base": the backbone alone, the row every other method is compared with.
#include "llactr/methods/method.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {
namespace {

struct BaseOptions {
  // --base-label: the rows' name, e.g. "mlp=400,400,400" for one point of a sweep over a
  // backbone's sizes, so that several base runs stay apart in one aggregate.
  std::string label = "base";
};

const OptionTable<BaseOptions>& base_option_table() {
  static const OptionTable<BaseOptions> table = OptionTable<BaseOptions>().text(
      "base-label", &BaseOptions::label, true, "the rows' method name (e.g. one point of a backbone-size sweep)");
  return table;
}

class BaseMethod : public Method {
 public:
  explicit BaseMethod(std::string label) : label_(std::move(label)) {}
  std::vector<MethodRow> run(const data::Dataset& dataset, const std::string& backbone, const BackboneConfig& bc,
                             const TrainConfig& tc) override {
    Rng init(tc.seed);
    std::shared_ptr<Backbone> model = make_backbone(backbone, bc, init);
    MethodRow r = train_and_test(dataset, *model, tc, nullptr);
    r.method = label_;
    r.served = model;
    return {r};
  }

 private:
  std::string label_;
};

}  // namespace

MethodEntry base_method_row() {
  return {"base", "the backbone alone", base_option_table().options(),
          [](const MethodSetup& setup) -> std::unique_ptr<Method> {
            return std::make_unique<BaseMethod>(base_option_table().read(setup.options).label);
          },
          [](const OptionValues& o) { return std::vector<std::string>{base_option_table().read(o).label}; }};
}

}  // namespace llactr::methods
