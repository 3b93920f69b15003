#include "ecsim/platform/catalog.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "ecsim/sim/suggest.hpp"
#include "embedded_data.hpp"

namespace ecsim::platform {
namespace {

constexpr std::size_t kColumnCount = 13;

enum Column : std::size_t {
  kName,
  kFamily,
  kVcpu,
  kMemoryMib,
  kArch,
  kGpus,
  kMaxEnis,
  kIpv4PerEni,
  kEksMaxPodsEni,
  kEksAllocatableCpuM,
  kEksAllocatableMemoryMib,
  kEksAllocatablePods,
  kPrice,
};

struct Field {
  std::string_view text;
  std::size_t column = 0;  // 1-based byte column of the field's first byte
};

// Splits one line at commas; never fails (typing happens per field afterwards).
std::vector<Field> split_fields(std::string_view line) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    fields.push_back({line.substr(start, end - start), start + 1});
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

constexpr std::array<std::string_view, kColumnCount> column_names() {
  std::array<std::string_view, kColumnCount> names{};
  std::string_view header = InstanceCatalog::kCsvHeader;
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    const std::size_t comma = header.find(',');
    names[i] = header.substr(0, comma);
    header.remove_prefix(comma == std::string_view::npos ? header.size() : comma + 1);
  }
  return names;
}

constexpr std::array<std::string_view, kColumnCount> kColumnNames = column_names();

bool all_digits(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// True when std::from_chars reads all of `text` into `out` (false on overflow too).
template <class Number>
bool read_whole(std::string_view text, Number& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && end == text.data() + text.size();
}

struct Diagnostic {
  std::size_t line;
  std::size_t column;
  std::string message;
};

class CsvReader {
 public:
  explicit CsvReader(std::string_view source) : source_(source) {}

  void error(std::size_t line, std::size_t column, std::string message) {
    diagnostics_.push_back({line, column, std::move(message)});
  }
  void field_error(std::size_t line, const Field& field, std::size_t index, std::string_view what) {
    error(line, field.column, fmt::format("{}: {}", kColumnNames[index], what));
  }

  // Throws the collected diagnostics, ordered by position, as one std::runtime_error.
  void throw_if_any() {
    if (diagnostics_.empty()) return;
    std::stable_sort(diagnostics_.begin(), diagnostics_.end(),
                     [](const Diagnostic& a, const Diagnostic& b) {
                       return a.line != b.line ? a.line < b.line : a.column < b.column;
                     });
    std::string text;
    for (const Diagnostic& d : diagnostics_) {
      if (!text.empty()) text += '\n';
      text += fmt::format("{}:{}:{}: error: {}", source_, d.line, d.column, d.message);
    }
    throw std::runtime_error(text);
  }

  bool read_u32(std::size_t line, const Field& field, std::size_t index, std::uint32_t& out) {
    const std::string_view text = field.text;
    if (text.empty() || !all_digits(text)) {
      field_error(line, field, index,
                  fmt::format("expected an unsigned integer, found '{}'", text));
      return false;
    }
    if (!read_whole(text, out)) {
      field_error(line, field, index,
                  fmt::format("{} is too large (at most {})", text,
                              std::numeric_limits<std::uint32_t>::max()));
      return false;
    }
    return true;
  }

  bool read_price(std::size_t line, const Field& field, std::size_t index, double& out) {
    const std::string_view text = field.text;
    // Plain decimal only: from_chars alone would also take "inf", "nan" and exponents.
    const std::size_t dot = text.find('.');
    const std::string_view whole = text.substr(0, dot);
    const std::string_view fraction =
        dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
    const bool decimal = !whole.empty() && all_digits(whole) && all_digits(fraction) &&
                         (dot == std::string_view::npos || !fraction.empty());
    if (!decimal) {
      field_error(line, field, index,
                  fmt::format("expected a decimal number such as 0.192, found '{}'", text));
      return false;
    }
    if (!read_whole(text, out)) {
      field_error(line, field, index, fmt::format("'{}' is out of range", text));
      return false;
    }
    if (out <= 0) {
      field_error(line, field, index, fmt::format("must be positive, found {}", text));
      return false;
    }
    return true;
  }

 private:
  std::string_view source_;
  std::vector<Diagnostic> diagnostics_;
};

void check_header(CsvReader& reader, std::string_view line) {
  const std::vector<Field> fields = split_fields(line);
  for (std::size_t i = 0; i < kColumnCount; ++i) {
    if (i == fields.size()) {
      reader.error(1, line.size() + 1,
                   fmt::format("header: missing column '{}' (expected the header {})",
                               kColumnNames[i], InstanceCatalog::kCsvHeader));
      return;
    }
    if (fields[i].text != kColumnNames[i]) {
      reader.error(
          1, fields[i].column,
          fmt::format("header: expected column '{}', found '{}'", kColumnNames[i], fields[i].text));
      return;
    }
  }
  if (fields.size() > kColumnCount) {
    reader.error(1, fields[kColumnCount].column,
                 fmt::format("header: unexpected column '{}' (the header has {} columns)",
                             fields[kColumnCount].text, kColumnCount));
  }
}

// Parses one data row; returns false (with diagnostics recorded) when any field is bad.
bool parse_row(CsvReader& reader, std::size_t line_number, std::string_view line,
               InstanceType& type) {
  if (line.empty()) {
    reader.error(line_number, 1,
                 fmt::format("empty line (expected a row of {} fields)", kColumnCount));
    return false;
  }
  if (const std::size_t quote = line.find('"'); quote != std::string_view::npos) {
    reader.error(line_number, quote + 1, "quoted fields are not supported");
    return false;
  }
  const std::vector<Field> fields = split_fields(line);
  if (fields.size() != kColumnCount) {
    const std::size_t column =
        fields.size() < kColumnCount ? line.size() + 1 : fields[kColumnCount].column;
    reader.error(line_number, column,
                 fmt::format("expected {} fields, found {}", kColumnCount, fields.size()));
    return false;
  }

  bool ok = true;
  const std::string_view name = fields[kName].text;
  const std::size_t dot = name.find('.');
  const bool name_ok =
      dot != std::string_view::npos && dot > 0 && dot + 1 < name.size() &&
      std::none_of(name.begin(), name.end(), [](char c) { return c == ' ' || c == '\t'; });
  if (!name_ok) {
    reader.field_error(line_number, fields[kName], kName,
                       fmt::format("expected FAMILY.SIZE such as m6i.xlarge, found '{}'", name));
    ok = false;
  } else if (fields[kFamily].text != name.substr(0, dot)) {
    reader.field_error(line_number, fields[kFamily], kFamily,
                       fmt::format("'{}' does not match the instance type '{}' (expected '{}')",
                                   fields[kFamily].text, name, name.substr(0, dot)));
    ok = false;
  }
  type.name = name;
  type.family = fields[kFamily].text;

  const std::string_view arch = fields[kArch].text;
  if (arch == arch_name(Arch::kAmd64)) {
    type.arch = Arch::kAmd64;
  } else if (arch == arch_name(Arch::kArm64)) {
    type.arch = Arch::kArm64;
  } else {
    reader.field_error(line_number, fields[kArch], kArch,
                       fmt::format("expected amd64 or arm64, found '{}'", arch));
    ok = false;
  }

  const auto u32 = [&](Column column, std::uint32_t& out) {
    if (!reader.read_u32(line_number, fields[column], column, out)) ok = false;
  };
  u32(kVcpu, type.vcpu);
  u32(kMemoryMib, type.memory_mib);
  u32(kGpus, type.gpus);
  u32(kMaxEnis, type.max_enis);
  u32(kIpv4PerEni, type.ipv4_per_eni);
  u32(kEksMaxPodsEni, type.eks_max_pods_eni);
  u32(kEksAllocatableCpuM, type.eks_allocatable_cpu_m);
  u32(kEksAllocatableMemoryMib, type.eks_allocatable_memory_mib);
  u32(kEksAllocatablePods, type.eks_allocatable_pods);
  if (!reader.read_price(line_number, fields[kPrice], kPrice, type.price_usd_per_hour)) ok = false;
  if (!ok) return false;

  // Cross-field rules: a row that breaks one is corrupt, whatever its source.
  if (type.vcpu == 0) {
    reader.field_error(line_number, fields[kVcpu], kVcpu, "must be at least 1, found 0");
    ok = false;
  }
  if (type.memory_mib == 0) {
    reader.field_error(line_number, fields[kMemoryMib], kMemoryMib, "must be at least 1, found 0");
    ok = false;
  }
  // The allocatable checks below would only repeat a zero size.
  if (!ok) return false;
  const std::int64_t max_pods =
      std::int64_t{type.max_enis} * (std::int64_t{type.ipv4_per_eni} - 1) + 2;
  if (std::int64_t{type.eks_max_pods_eni} != max_pods) {
    reader.field_error(
        line_number, fields[kEksMaxPodsEni], kEksMaxPodsEni,
        fmt::format("{} does not match max_enis * (ipv4_per_eni - 1) + 2 = "
                    "{} * ({} - 1) + 2 = {}",
                    type.eks_max_pods_eni, type.max_enis, type.ipv4_per_eni, max_pods));
    ok = false;
  }
  if (std::uint64_t{type.eks_allocatable_cpu_m} > std::uint64_t{type.vcpu} * 1000) {
    reader.field_error(
        line_number, fields[kEksAllocatableCpuM], kEksAllocatableCpuM,
        fmt::format("{} exceeds the {} vCPU of the type ({} millicores)",
                    type.eks_allocatable_cpu_m, type.vcpu, std::uint64_t{type.vcpu} * 1000));
    ok = false;
  }
  if (type.eks_allocatable_memory_mib > type.memory_mib) {
    reader.field_error(line_number, fields[kEksAllocatableMemoryMib], kEksAllocatableMemoryMib,
                       fmt::format("{} exceeds the memory of the type ({} MiB)",
                                   type.eks_allocatable_memory_mib, type.memory_mib));
    ok = false;
  }
  return ok;
}

}  // namespace

const InstanceCatalog& InstanceCatalog::builtin() {
  static const InstanceCatalog catalog =
      from_csv(detail::ec2_instance_types_csv(), "models/data/ec2-instance-types.csv");
  return catalog;
}

InstanceCatalog InstanceCatalog::from_csv(std::string_view csv, std::string_view source) {
  CsvReader reader(source);
  if (csv.empty()) {
    reader.error(1, 1, fmt::format("header: empty file (expected the header {})", kCsvHeader));
    reader.throw_if_any();
  }

  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start < csv.size();) {
    const std::size_t newline = csv.find('\n', start);
    const std::size_t end = newline == std::string_view::npos ? csv.size() : newline;
    std::string_view line = csv.substr(start, end - start);
    // Tolerate CRLF line breaks: a file saved on Windows is not malformed.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }

  check_header(reader, lines.front());
  // Without the expected columns every row would only repeat the header's problem.
  reader.throw_if_any();

  InstanceCatalog catalog;
  std::vector<std::size_t> line_of;  // line_of[i]: the line of catalog.types_[i]
  for (std::size_t i = 1; i < lines.size(); ++i) {
    InstanceType type;
    if (parse_row(reader, i + 1, lines[i], type)) {
      catalog.types_.push_back(std::move(type));
      line_of.push_back(i + 1);
    }
  }

  std::vector<std::size_t> order(catalog.types_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Stable, so of two rows with one name the earlier line comes first.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return catalog.types_[a].name < catalog.types_[b].name;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const InstanceType& previous = catalog.types_[order[k - 1]];
    if (previous.name == catalog.types_[order[k]].name) {
      reader.error(line_of[order[k]], 1,
                   fmt::format("instance_type: duplicate '{}' (first on line {})", previous.name,
                               line_of[order[k - 1]]));
    }
  }
  reader.throw_if_any();

  if (catalog.types_.size() >= kUnknownInstanceType) {
    throw std::runtime_error(
        fmt::format("{}: error: too many instance types ({})", source, catalog.types_.size()));
  }
  std::vector<InstanceType> sorted;
  sorted.reserve(order.size());
  for (const std::size_t i : order) sorted.push_back(std::move(catalog.types_[i]));
  catalog.types_ = std::move(sorted);
  return catalog;
}

const InstanceType* InstanceCatalog::find(std::string_view name) const {
  const InstanceTypeIndex index = index_of(name);
  return index == kUnknownInstanceType ? nullptr : &types_[index];
}

InstanceTypeIndex InstanceCatalog::index_of(std::string_view name) const {
  const auto it = std::lower_bound(
      types_.begin(), types_.end(), name,
      [](const InstanceType& type, std::string_view wanted) { return type.name < wanted; });
  if (it == types_.end() || it->name != name) return kUnknownInstanceType;
  return static_cast<InstanceTypeIndex>(it - types_.begin());
}

std::vector<std::string> InstanceCatalog::suggest(std::string_view name, std::size_t max) const {
  std::vector<std::string_view> names;
  names.reserve(types_.size());
  for (const InstanceType& type : types_) names.push_back(type.name);
  return closest_names(name, names, max);
}

}  // namespace ecsim::platform
