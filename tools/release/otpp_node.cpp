// The runtime program of every otpp release: bin/NAME runs it with the command.
// Applications are not linked in; the boot loads them (releases/VSN/NAME.boot).
#include "otp/release.hpp"

int main(int argc, char** argv) {
  return otp::release::main(argc, argv);
}
