// ./run_experiment as a function, so that tests run it in-process: argv as main() gets it.
// Returns the exit code (0, also after --help); throws std::exception with the reason on bad input.
#pragma once

namespace llactr {

int run_experiment(int argc, char** argv);

}  // namespace llactr
