// EarlyStopping (nn/early_stopping.h): the first epoch always improves, ties improve only when
// asked (the trainer: yes; ELEC's stage 1: no), patience counts the epochs since the best, and
// restore() puts the best epoch's weights back.
#include <gtest/gtest.h>

#include "llactr/nn/early_stopping.h"

namespace llactr {
namespace {

TEST(EarlyStopping, TiesPatienceAndRestore) {
  Var w = parameter(Tensor({2}, {1.0f, 2.0f}), "w");
  EarlyStopping stop({w}, /*patience=*/2);
  EXPECT_TRUE(stop.update(1, 0.5));
  w.value()[0] = 10;
  EXPECT_TRUE(stop.update(2, 0.5));  // a tie improves
  w.value()[0] = 20;
  EXPECT_FALSE(stop.update(3, 0.4));
  EXPECT_FALSE(stop.should_stop());
  EXPECT_FALSE(stop.update(4, 0.45));
  EXPECT_TRUE(stop.should_stop());
  stop.restore();
  EXPECT_EQ(w.value()[0], 10.0f);  // epoch 2's weights
  EXPECT_EQ(stop.best_epoch(), 2);
  EXPECT_EQ(stop.best_value(), 0.5);

  EarlyStopping strict({w}, 1, 0, /*ties_improve=*/false);
  EXPECT_TRUE(strict.update(1, 0.5));
  EXPECT_FALSE(strict.update(2, 0.5));  // a tie does not
  EXPECT_TRUE(strict.should_stop());

  EarlyStopping delta({w}, 5, /*min_delta=*/0.1);
  EXPECT_TRUE(delta.update(1, 0.5));
  EXPECT_FALSE(delta.update(2, 0.55));  // not by min_delta
  EXPECT_TRUE(delta.update(3, 0.6));
}

}  // namespace
}  // namespace llactr
