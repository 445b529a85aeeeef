// The README's example, kept compiling.
#include <cstdio>
#include <otp/otp.hpp>
using namespace otp;

struct greet {
  pid from;
  std::string name;
};

int main() {
  node n;  // one scheduler thread per core
  n.run([] {
    pid greeter = spawn([] {
      for (;;) {
        greet g = receive<greet>();  // blocks the process, not the thread
        send(g.from, "hello, " + g.name);
      }
    });
    send(greeter, greet{self(), "world"});
    std::puts(receive<std::string>().c_str());

    monitor(greeter);
    exit(greeter, atoms::kill);        // untrappable, as in Erlang
    down_msg d = receive<down_msg>();  // {'DOWN', Ref, process, Pid, killed}
    std::puts(to_string(d.reason).c_str());
  });
}
