// The table of BEAM-only flags otpp ignores, with erlexec's argument rules (OTP 25).

#include "vm_args_flags.hpp"

#include <algorithm>
#include <array>

namespace otp::config::detail {
namespace {

using enum flag_args;

constexpr std::string_view bool_word = "true or false";

constexpr ignored_flag flags[] = {
    // Emulator flags with a value.
    {"+A", one, "a number of async threads"},
    {"+a", one, "an async thread stack size"},
    {"+C", one, "a time warp mode", "no_time_warp|single_time_warp|multi_time_warp"},
    {"+dcg", one, "a decentralized counter groups limit"},
    {"+e", one, "a maximum number of ETS tables"},
    {"+h", one, "a minimum heap size"},
    {"+IOt", one, "a number of poll threads"},
    {"+IOp", one, "a number of poll sets"},
    {"+IOPt", one, "a percentage of poll threads"},
    {"+IOPp", one, "a percentage of poll sets"},
    {"+IOs", one, bool_word, "true|false"},
    {"+JPperf", one, "a perf support mode"},
    {"+JMsingle", one, bool_word, "true|false"},
    {"+K", one, bool_word, "true|false"},
    {"+n", one, "a signal behaviour (d, i or e)", "d|i|e"},
    {"+pc", one, "a printable character range (latin1 or unicode)", "latin1|unicode"},
    {"+Q", one, "a maximum number of ports"},
    {"+R", one, "a release number"},
    {"+rg", one, "a reader groups limit"},
    {"+SP", one, "SchedulersPercentage[:SchedulersOnlinePercentage]"},
    {"+SDcpu", one, "DirtyCPUSchedulers[:DirtyCPUSchedulersOnline]"},
    {"+SDPcpu", one, "DirtyCPUSchedulersPercentage[:DirtyCPUSchedulersOnlinePercentage]"},
    {"+SDio", one, "a number of dirty I/O schedulers"},
    {"+t", one, "an atom table size"},
    {"+T", one, "a modified timing level"},
    {"+W", one, "a warning mapping (w, i or e)", "w|i|e"},
    // Emulator flags without a value (or an optional one).
    {"+B", optional, "i", "i"},
    {"+Bc", none},
    {"+Bd", none},
    {"+Bi", none},
    {"+c", optional, bool_word, "true|false"},
    {"+d", none},
    {"+ec", none},
    {"+fnl", none},
    {"+fnu", none},
    {"+fnuw", none},
    {"+fnui", none},
    {"+fnue", none},
    {"+fna", none},
    {"+fnaw", none},
    {"+fnai", none},
    {"+fnae", none},
    {"+L", none},
    {"+r", none},
    // init and erl flags that mean nothing to otpp.
    {"-boot", one, "a boot file name"},
    {"-boot_var", two, "a variable name and a folder"},
    {"-code_path_cache", none},
    {"-heart", none},
    {"-mode", one, "interactive or embedded", "interactive|embedded"},
    {"-noinput", none},
    {"-noshell", none},
    {"-proto_dist", one, "inet_tcp", "inet_tcp",
     "; otpp does not take other distribution protocols from vm.args (TLS would be "
     "silently off): set otp::dist_options::tls"},
    {"-smp", optional, "auto or enable", "auto|enable",
     "; -smp disable is gone from erl too: use +S 1"},
    {"-smpauto", none},
    {"-smpenable", none},
    {"-start_epmd", one, bool_word, "true|false"},
};

// Families whose members erlexec lists one by one: +M<allocator><setting>, +M<setting>,
// +s<setting>, +h<setting>, +z<setting>; each takes one value.
constexpr ignored_flag alloc_family{"+M", one, "an allocator setting"};
constexpr ignored_flag sched_family{"+s", one, "a scheduler setting"};
constexpr ignored_flag heap_family{"+h", one, "a heap setting"};
constexpr ignored_flag misc_family{"+z", one, "a setting"};

constexpr std::string_view allocators = "uBIDEFHLRSTXZ";
constexpr std::array<std::string_view, 22> alloc_settings = {
    "as",   "asbcst", "atags",  "acul",   "acnl",  "acfml", "cp",    "e",
    "t",    "lmbcs",  "mbcgs",  "mbsd",   "mmbcs", "mmmbc", "mmsbc", "msbclt",
    "ramv", "rmbcmt", "rsbcmt", "rsbcst", "sbct",  "smbcs"};
constexpr std::array<std::string_view, 21> other_alloc_settings = {
    "ea",   "ummc",    "uycs", "usac",   "im", "is", "it",  "lpm", "Mamcbf", "Mrmcbf", "Mmcs",
    "Mscs", "Mscrfsd", "Msco", "Mscrpm", "Ye", "Ym", "Ytp", "Ytt", "Iscs",   "Xscs"};
constexpr std::array<std::string_view, 19> sched_settings = {
    "bt",     "bwtdcpu", "bwtdio", "bwt", "cl", "ct",     "ecio",  "fwi", "tbt", "wct",
    "wtdcpu", "wtdio",   "wt",     "ws",  "ss", "ssdcpu", "ssdio", "pp",  "ub"};
constexpr std::array<std::string_view, 7> heap_settings = {"ms",   "mbs",   "pds", "max",
                                                           "maxk", "maxel", "mqd"};
constexpr std::array<std::string_view, 3> misc_settings = {"dbbl", "dntgc", "ebwt"};

template <size_t N>
bool listed(const std::array<std::string_view, N>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

const ignored_flag* family_of(std::string_view w) {
  if (w.size() < 3 || w[0] != '+') return nullptr;
  std::string_view rest = w.substr(2);
  switch (w[1]) {
    case 'M':
      if (listed(other_alloc_settings, rest) ||
          (allocators.find(rest[0]) != std::string_view::npos &&
           listed(alloc_settings, rest.substr(1))))
        return &alloc_family;
      return nullptr;
    case 's':
      return listed(sched_settings, rest) ? &sched_family : nullptr;
    case 'h':
      return listed(heap_settings, rest) ? &heap_family : nullptr;
    case 'z':
      return listed(misc_settings, rest) ? &misc_family : nullptr;
    default:
      return nullptr;
  }
}

// One-letter flags beam also reads with the value in the same word (+A30, +K true is +Ktrue).
constexpr std::string_view glued_letters = "AaCeKnQRtTW";

const ignored_flag* exact(std::string_view w) {
  for (const ignored_flag& f : flags)
    if (f.name == w) return &f;
  return nullptr;
}

}  // namespace

flag_match find_ignored_flag(std::string_view word) {
  if (const ignored_flag* f = exact(word)) return {f, std::nullopt};
  if (const ignored_flag* f = family_of(word)) return {f, std::nullopt};
  if (word.size() > 2 && word[0] == '+' && glued_letters.find(word[1]) != std::string_view::npos)
    return {exact(word.substr(0, 2)), word.substr(2)};
  return {};
}

std::span<const ignored_flag> ignored_flags() {
  return flags;
}

bool is_choice(std::string_view value, std::string_view choices) {
  while (!choices.empty()) {
    size_t bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) break;
    choices.remove_prefix(bar + 1);
  }
  return false;
}

}  // namespace otp::config::detail
