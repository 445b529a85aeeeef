// The README's example: processes, messages, a monitor.
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
        greet g = receive<greet>();  // blocks this process, never the thread
        send(g.from, "hello, " + g.name);
      }
    });
    send(greeter, greet{self(), "world"});
    std::printf("%s\n", receive<std::string>().c_str());

    reference ref = monitor(greeter);
    exit(greeter, atoms::kill);  // untrappable
    auto down = receive<down_msg>();
    std::printf("greeter %s is down: %s (ours: %s)\n", to_string(down.process()).c_str(),
                to_string(down.reason).c_str(), down.ref == ref ? "yes" : "no");
  });
}
