// The method "base": the backbone alone, the row every other method is compared with.
#include "llactr/methods/method.h"
#include "llactr/tensor/rng.h"

namespace llactr::methods {
namespace {

class BaseMethod : public Method {
 public:
  std::vector<MethodRow> run(const data::Dataset& dataset, const std::string& backbone, const BackboneConfig& bc,
                             const TrainConfig& tc) override {
    Rng init(tc.seed);
    std::shared_ptr<Backbone> model = make_backbone(backbone, bc, init);
    MethodRow r = train_and_test(dataset, *model, tc, nullptr);
    r.method = "base";
    r.served = model;
    return {r};
  }
};

}  // namespace

MethodEntry base_method_row() {
  return {"base", "the backbone alone", {},
          [](const MethodSetup&) -> std::unique_ptr<Method> { return std::make_unique<BaseMethod>(); },
          [](const OptionValues&) { return std::vector<std::string>{"base"}; }};
}

}  // namespace llactr::methods
