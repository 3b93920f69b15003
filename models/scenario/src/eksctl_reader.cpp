#include "eksctl_reader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "ecsim/platform/catalog.hpp"
#include "api_schema.hpp"
#include "k8s_fields.hpp"

// An eksctl ClusterConfig as `eksctl create cluster -f` reads it, keeping what a simulation
// needs: the node groups' sizes, instance types, zones, labels, taints, Spot capacity, update
// configuration and pod limits. The file is first checked against eksctl's ClusterConfig schema
// as eksctl decodes it (strictly: a field eksctl does not know is an error); every other field
// eksctl allows (iam, ssh, tags, volumeSize, securityGroups, preBootstrapCommands, vpc, addons,
// ...) is accepted and noted as not simulated. `eksctl get nodegroup -o yaml` output (a list of
// node group summaries) is read too.
//
// Sources (eksctl-io/eksctl, pkg/apis/eksctl.io/v1alpha5):
// [T]  types.go: DefaultNodeType "m5.large", DefaultNodeCount 2, the labels
//      alpha.eksctl.io/cluster-name and alpha.eksctl.io/nodegroup-name;
// [D]  defaults.go: a node group without instanceType gets DefaultNodeType (a managed one only
//      when it has no launchTemplate, instanceTypes or instanceSelector: then the type comes from
//      elsewhere); both labels are added to every node group;
// [V]  validation.go (ValidateManagedNodeGroup) and pkg/cfn/builder/nodegroup.go (self-managed):
//      minSize defaults to desiredCapacity, else DefaultNodeCount; maxSize to desiredCapacity,
//      else minSize; desiredCapacity to minSize (for self-managed groups CloudFormation's
//      default for an Auto Scaling group); updateConfig needs exactly one of maxUnavailable and
//      maxUnavailablePercentage, and maxUnavailable no greater than maxSize; at least two
//      cluster availabilityZones when any are given;
// [S]  userdocs usage/spot-instances: instancesDistribution with instanceTypes (required),
//      onDemandBaseCapacity (default 0) and onDemandPercentageAboveBaseCapacity (default 100).

namespace ecsim::scenario::detail {
namespace {

constexpr const char* kClusterNameLabel = "alpha.eksctl.io/cluster-name";
constexpr const char* kNodeGroupNameLabel = "alpha.eksctl.io/nodegroup-name";
// Labels EKS puts on the nodes of a managed node group.
constexpr const char* kEksNodeGroupLabel = "eks.amazonaws.com/nodegroup";
constexpr const char* kEksCapacityTypeLabel = "eks.amazonaws.com/capacityType";

// The most nodes a node group may ask for, as a scenario's Auto Scaling groups (kMaxInstances).
constexpr std::int64_t kMaxNodes = 1'000'000;

std::optional<platform::InstanceTypeIndex> catalog_type(const Reader& at, const std::string& type) {
  const auto& catalog = platform::InstanceCatalog::builtin();
  if (const auto i = catalog.index_of(type); i != platform::kUnknownInstanceType) return i;
  const auto close = catalog.suggest(type, 3);
  at.error(fmt::format("unknown EC2 instance type '{}' ({})", type,
                       close.empty() ? std::string("expected a type of ecsim's EC2 catalog")
                                     : fmt::format("did you mean {}?", either(close))));
  return std::nullopt;
}

class EksctlFile {
 public:
  EksctlFile(const Reader& root, const EksctlContext& context) : root_(root), context_(context) {}

  std::optional<eks::ClusterConfig> read() {
    // `eksctl get nodegroup -o yaml` prints a list of node group summaries.
    if (root_.is_sequence()) return read_summaries();
    if (!root_.is_map()) {
      root_.error("expected an eksctl ClusterConfig (apiVersion eksctl.io/v1alpha5)");
      return std::nullopt;
    }
    // The version and kind first: a file of another version also fails the field checks,
    // and its version says why.
    if (const auto v = root_["apiVersion"].string(); v && *v != "eksctl.io/v1alpha5")
      fail(root_["apiVersion"],
           fmt::format("'{}' is not eksctl's (expected apiVersion eksctl.io/v1alpha5)", *v));
    if (const auto k = root_["kind"].string(); k && *k != "ClusterConfig")
      fail(root_["kind"],
           fmt::format("'{}' is not a ClusterConfig (expected kind ClusterConfig)", *k));
    if (!check_api(root_, *api_root("eksctl.ClusterConfig"), ApiReader::kEksctl))
      return std::nullopt;
    const bool have = require_all({root_["apiVersion"], root_["kind"], root_["metadata"]});
    ok_ = ok_ && have;
    read_metadata(root_["metadata"]);
    read_cluster_zones(root_["availabilityZones"]);
    for (const Reader& g : root_["nodeGroups"].items("a list of node groups"))
      read_node_group(g, false);
    for (const Reader& g : root_["managedNodeGroups"].items("a list of managed node groups"))
      read_node_group(g, true);
    read_fargate_profiles(root_["fargateProfiles"]);
    read_auto_mode();
    if (!ok_) return std::nullopt;
    return std::move(out_);
  }

 private:
  // The node groups of `eksctl get nodegroup -o yaml` output (eksctl's nodegroup.Summary, one
  // per group): name, instance type, sizes and whether it is managed. It names no zones (the
  // cluster's are used), labels, taints or capacity type (on demand).
  std::optional<eks::ClusterConfig> read_summaries() {
    const std::uint16_t summary = *api_root("eksctl.NodeGroupSummary");
    const std::vector<Reader> items = root_.items();
    if (items.empty()) {
      fail(root_, "no node group in the `eksctl get nodegroup` output (expected at least one)");
      return std::nullopt;
    }
    for (const Reader& item : items) {
      if (!check_api(item, summary, ApiReader::kEksctl)) {
        ok_ = false;
        continue;
      }
      read_summary(item);
    }
    if (!ok_) return std::nullopt;
    return std::move(out_);
  }

  void read_summary(const Reader& r) {
    if (!r.is_map()) {
      fail(r, "expected a node group summary {Name, Cluster, InstanceType, DesiredCapacity, ...}");
      return;
    }
    if (!require_all({r["Name"], r["Cluster"], r["InstanceType"], r["DesiredCapacity"]})) {
      ok_ = false;
      return;
    }
    const std::string cluster = r["Cluster"].string().value_or("");
    if (out_.name.empty()) out_.name = cluster;
    if (cluster != out_.name)
      fail(r["Cluster"], fmt::format("node group of cluster '{}' among those of '{}' (expected "
                                     "the node groups of one cluster)",
                                     cluster, out_.name));
    out_.region = context_.region;
    eks::NodeGroupConfig g;
    g.name = r["Name"].string().value_or("");
    if (!names_.insert(g.name).second)
      fail(r["Name"], fmt::format("node group '{}' is listed twice", g.name));
    const std::string type = r["Type"].string().value_or("unmanaged");
    if (type != "managed" && type != "unmanaged")
      fail(r["Type"], fmt::format("'{}' is not a node group type (expected managed or unmanaged)",
                                  type));
    g.managed = type == "managed";
    const std::string types = r["InstanceType"].string().value_or("");
    if (types == "-" || types.empty()) {
      fail(r["InstanceType"], "the summary names no instance type (eksctl prints '-' when it "
                              "could not find one; expected an EC2 instance type)");
    } else {
      // Several types are printed joined by commas; the first is simulated, as for
      // instanceTypes in a ClusterConfig.
      const std::string first = types.substr(0, types.find(','));
      if (catalog_type(r["InstanceType"], first))
        g.instance_type = first;
      else
        ok_ = false;
    }
    const auto size = [&](const char* key) -> std::optional<std::uint32_t> {
      const auto v = r[key].integer(0, kMaxNodes);
      if (!v) return std::nullopt;
      return static_cast<std::uint32_t>(*v);
    };
    const auto desired = size("DesiredCapacity");
    g.desired = desired.value_or(0);
    g.min = r["MinSize"].present() ? size("MinSize").value_or(g.desired) : g.desired;
    g.max = r["MaxSize"].present() ? size("MaxSize").value_or(g.desired) : g.desired;
    if (!desired) ok_ = false;
    if (g.min > g.desired || g.desired > g.max)
      fail(r["DesiredCapacity"],
           fmt::format("DesiredCapacity {} is not within MinSize {} and MaxSize {}", g.desired,
                       g.min, g.max));
    g.labels[kClusterNameLabel] = out_.name;
    g.labels[kNodeGroupNameLabel] = g.name;
    if (g.managed) {
      g.labels[kEksNodeGroupLabel] = g.name;
      g.labels[kEksCapacityTypeLabel] = "ON_DEMAND";
    }
    out_.node_groups.push_back(std::move(g));
  }

  void fail(const Reader& at, std::string message) {
    at.error(std::move(message));
    ok_ = false;
  }

  // autoModeConfig, with eksctl's ValidateAutoModeConfig in its words: the built-in NodePools
  // (general-purpose and system unless nodePools says otherwise, each once), the node role and
  // permissions boundary (read, not simulated) only with Auto Mode and node pools.
  void read_auto_mode() {
    const Reader a = root_["autoModeConfig"];
    if (!a.expect_object("an object {enabled, nodePools, nodeRoleARN, permissionsBoundaryARN}")) return;
    const bool enabled = a["enabled"].boolean().value_or(false);
    const Reader pools = a["nodePools"], role = a["nodeRoleARN"], boundary = a["permissionsBoundaryARN"];
    std::vector<std::string> names;
    for (const Reader& p : pools.items("a list of node pools")) {
      const std::string name = p.string().value_or("");
      if (std::find(names.begin(), names.end(), name) != names.end()) {
        fail(p, fmt::format("found duplicate node pool: \"{}\"", name));
        continue;
      }
      if (name != "general-purpose" && name != "system") {
        fail(p, fmt::format("invalid NodePool \"{}\" (expected general-purpose or system)", name));
        continue;
      }
      names.push_back(name);
    }
    if (!enabled) {
      if (role.present() || boundary.present() || !names.empty())
        fail(a, "cannot set autoModeConfig.nodeRoleARN, autoModeConfig.permissionBoundaryARN, or "
                "autoModeConfig.nodePools when Auto Mode is disabled");
      return;
    }
    const bool listed = pools.present();
    if (listed && names.empty() && pools.items().empty() && role.present())
      fail(role, "cannot specify autoModeConfig.nodeRoleARN when autoModeConfig.nodePools is empty");
    if (listed && pools.items().empty() && boundary.present())
      fail(boundary, "cannot specify autoModeConfig.permissionBoundaryARN when autoModeConfig.nodePools is empty");
    if (role.present() && boundary.present())
      fail(boundary, "cannot specify autoModeConfig.permissionBoundaryARN when autoModeConfig.nodeRoleARN is set");
    out_.auto_mode = true;
    out_.auto_mode_pools = listed ? names : std::vector<std::string>{"general-purpose", "system"};
  }

  // fargateProfiles with eksctl's checks of each profile (validation.go, FargateProfile
  // Validate, in its words): a name not starting with "eks-", at least one selector, each with
  // a namespace. Subnets, the pod execution role and tags are not simulated (noted): Fargate
  // pods run in the cluster's zones.
  void read_fargate_profiles(const Reader& list) {
    for (const Reader& r : list.items("a list of Fargate profiles")) {
      if (!r.expect_object("a Fargate profile {name, selectors, ...}")) {
        ok_ = false;
        continue;
      }
      eks::FargateProfile fp;
      fp.name = r["name"].string().value_or("");
      if (fp.name.empty()) {
        fail(r["name"].present() ? r["name"] : r, "invalid Fargate profile: empty name");
        continue;
      }
      if (fp.name.starts_with("eks-"))
        fail(r["name"], fmt::format("invalid Fargate profile \"{}\": name should NOT start with "
                                    "\"eks-\"",
                                    fp.name));
      const std::vector<Reader> selectors = r["selectors"].items("a list of profile selectors");
      if (selectors.empty())
        fail(r["selectors"].present() ? r["selectors"] : r,
             fmt::format("invalid Fargate profile \"{}\": no profile selector", fp.name));
      for (std::size_t i = 0; i < selectors.size(); ++i) {
        const Reader& sel = selectors[i];
        if (!sel.expect_object("a profile selector {namespace, labels}")) {
          ok_ = false;
          continue;
        }
        eks::FargateSelector fs;
        fs.name_space = sel["namespace"].string().value_or("");
        if (fs.name_space.empty()) {
          fail(sel["namespace"].present() ? sel["namespace"] : sel,
               fmt::format("invalid Fargate profile \"{}\": invalid profile selector at index "
                           "#{}: empty namespace",
                           fp.name, i));
          continue;
        }
        if (auto labels = read_labels(sel["labels"]))
          fs.labels = std::move(*labels);
        else
          ok_ = false;
        fp.selectors.push_back(std::move(fs));
      }
      for (const eks::FargateProfile& other : out_.fargate_profiles)
        if (other.name == fp.name)
          fail(r["name"], fmt::format("Fargate profile \"{}\" is given twice", fp.name));
      out_.fargate_profiles.push_back(std::move(fp));
    }
  }

  void read_metadata(const Reader& m) {
    if (!m.expect_object("a mapping with name and region")) {
      ok_ = false;
      return;
    }
    if (m.present() && m["name"].require())
      out_.name = m["name"].string().value_or("");
    else
      ok_ = false;
    out_.region = m["region"].string().value_or(context_.region);
    out_.version = m["version"].string().value_or("");
    if (out_.region != context_.region)
      fail(m["region"], fmt::format("'{}' is not the scenario's platform.region (expected {})",
                                    out_.region, context_.region));
  }

  // A zone of the file: one of the platform's zones.
  bool known_zone(const Reader& at, const std::string& zone) {
    if (std::find(context_.zones.begin(), context_.zones.end(), zone) != context_.zones.end())
      return true;
    const std::string hint = did_you_mean(zone, context_.zones);
    fail(at, fmt::format("zone '{}' is not among the scenario's platform.azs ({})", zone,
                         hint.empty() ? "expected one of " + either(context_.zones) : hint));
    return false;
  }

  // Zone names, each a zone of the platform and, when `within` is not empty, one of those.
  std::vector<std::string> read_zones(const Reader& list, const std::vector<std::string>& within) {
    std::vector<std::string> zones;
    for (const Reader& z : list.items("a list of availability zone names")) {
      const auto name = z.string();
      if (!name) {
        ok_ = false;
        continue;
      }
      if (std::find(zones.begin(), zones.end(), *name) != zones.end()) {
        fail(z, fmt::format("zone '{}' is listed twice", *name));
        continue;
      }
      if (!known_zone(z, *name)) continue;
      if (!within.empty() && std::find(within.begin(), within.end(), *name) == within.end()) {
        fail(z, fmt::format("zone '{}' is not one of the cluster's availabilityZones (expected "
                            "one of {})",
                            *name, either(within)));
        continue;
      }
      zones.push_back(*name);
    }
    return zones;
  }

  void read_cluster_zones(const Reader& list) {
    if (!list.present()) return;
    out_.azs = read_zones(list, {});
    if (list.is_sequence() && list.items().size() < 2)
      fail(list, fmt::format("only {} zone(s) specified, 2 are required (eksctl's rule)",
                             list.items().size()));
  }

  void read_node_group(const Reader& r, bool managed) {
    if (!r.expect_object("a node group")) {
      ok_ = false;
      return;
    }
    eks::NodeGroupConfig g;
    g.managed = managed;
    if (r["name"].require())
      g.name = r["name"].string().value_or("");
    else
      ok_ = false;
    if (!g.name.empty() && !names_.insert(g.name).second)
      fail(r["name"], fmt::format("node group '{}' is defined twice", g.name));
    read_instance_type(r, g);
    read_instance_selector(r["instanceSelector"], g);
    read_sizes(r, g);
    if (r["availabilityZones"].is_sequence() && r["availabilityZones"].items().empty())
      fail(r["availabilityZones"], "no zones given");
    g.azs = read_zones(r["availabilityZones"], out_.azs);
    if (auto labels = read_labels(r["labels"]))
      g.labels = std::move(*labels);
    else
      ok_ = false;
    g.labels[kClusterNameLabel] = out_.name;
    g.labels[kNodeGroupNameLabel] = g.name;
    read_taints(r["taints"], managed, g);
    // amiFamily: Windows AMIs make Windows nodes (the kubelet's kubernetes.io/os label).
    if (r["amiFamily"].present())
      g.windows = r["amiFamily"].string().value_or("").starts_with("WindowsServer");
    if (managed) {
      const auto spot = r["spot"].boolean();
      if (r["spot"].present() && !spot) ok_ = false;
      g.spot = spot.value_or(false);
      g.labels[kEksNodeGroupLabel] = g.name;
      g.labels[kEksCapacityTypeLabel] = g.spot ? "SPOT" : "ON_DEMAND";
      read_update_config(r["updateConfig"], g);
    }
    if (r["maxPodsPerNode"].present()) {
      const auto pods = r["maxPodsPerNode"].integer(1, 1000);
      if (pods)
        g.max_pods_per_node = static_cast<std::uint32_t>(*pods);
      else
        ok_ = false;
    }
    out_.node_groups.push_back(std::move(g));
  }

  // instanceType; for managed groups instanceTypes; for self-managed ones
  // instancesDistribution (all its types, with its On-Demand and Spot split).
  void read_instance_type(const Reader& r, eks::NodeGroupConfig& g) {
    const Reader single = r["instanceType"];
    const Reader list =
        g.managed ? r["instanceTypes"] : r["instancesDistribution"]["instanceTypes"];
    const Reader distribution = r["instancesDistribution"];
    std::optional<std::string> type = single.string();
    if (single.present() && !type) ok_ = false;
    if (!g.managed && distribution.present()) {
      if (!distribution.expect_object("an instances distribution")) {
        ok_ = false;
        return;
      }
      if (type && *type != "mixed")
        fail(single,
             "instanceType should be \"mixed\" or unset when using the instances "
             "distribution feature (eksctl's rule)");
      type.reset();
      if (!list.require()) ok_ = false;
      read_spot_share(distribution, g);
    } else if (list.present()) {
      if (type) {
        fail(list, "only one of instanceType or instanceTypes can be specified (eksctl's rule)");
        return;
      }
    }
    if (list.present()) {
      const std::vector<Reader> types = list.items("a list of EC2 instance types");
      if (list.is_sequence() && types.empty()) fail(list, "no instance types given");
      if (types.size() > 20)
        fail(list, "mixed nodegroups should have between 1 and 20 different instance types");
      for (std::size_t i = 0; i < types.size(); ++i) {
        const auto name = types[i].string();
        const auto index = name ? catalog_type(types[i], *name) : std::nullopt;
        if (!index) {
          ok_ = false;
          continue;
        }
        if (i == 0) g.instance_type = *name;
        g.instance_types.push_back(*name);
      }
      return;
    }
    if (type) {
      g.instance_type = *type;
      if (!catalog_type(single, *type)) ok_ = false;
      return;
    }
    // eksctl's default type; a managed group with a launch template takes its type from the
    // template, which ecsim cannot see: it assumes the same default.
    g.instance_type = kEksctlDefaultInstanceType;
  }

  // instanceSelector, as eksctl expands it when it creates the group (pkg/eks/
  // nodegroup_service.go, ExpandInstanceSelectorOptions and expandInstanceSelector): the types
  // with exactly `vCPUs`, `memory` (a byte quantity, GiB without a unit, as the EC2 instance
  // selector's bytequantity reads it) and `gpus`, of `cpuArchitecture` (x86_64 unless set),
  // at most 40, which become the group's instanceTypes (a self-managed group's
  // instancesDistribution's, On-Demand unless it says otherwise); types already listed must be
  // the same. eksctl asks EC2 for the types offered in the group's zones; ecsim matches its own
  // catalog, in name order, so a type the region lacks may be listed.
  void read_instance_selector(const Reader& sel, eks::NodeGroupConfig& g) {
    if (!sel.present()) return;
    if (!sel.expect_object("an instance selector {vCPUs, memory, gpus, cpuArchitecture}")) {
      ok_ = false;
      return;
    }
    const std::string where = fmt::format("error expanding instance selector options for "
                                          "nodegroup \"{}\"",
                                          g.name);
    std::optional<std::int64_t> vcpus, gpus;
    std::optional<std::uint64_t> memory_mib;
    bool fine = true;  // this selector's values read
    if (sel["vCPUs"].present() && !(vcpus = sel["vCPUs"].integer(0, 100000))) fine = false;
    if (sel["gpus"].present() && !(gpus = sel["gpus"].integer(0, 100000))) fine = false;
    if (sel["memory"].present()) {
      const auto text = sel["memory"].string();
      if (!text) {
        fine = false;
      } else if (!text->empty()) {
        memory_mib = byte_quantity_mib(*text);
        if (!memory_mib) {
          sel["memory"].error(fmt::format("{}: invalid value \"{}\" for instanceSelector.memory: "
                                          "{} is not a valid byte quantity",
                                          where, *text, *text));
          fine = false;
        }
      }
    }
    std::string arch = "x86_64";
    if (sel["cpuArchitecture"].present()) arch = sel["cpuArchitecture"].string().value_or(arch);
    if (arch != "x86_64" && arch != "arm64") {
      sel["cpuArchitecture"].error(
          fmt::format("{}: cpuArchitecture '{}' matches no instance type (expected x86_64 or "
                      "arm64)",
                      where, arch));
      fine = false;
    }
    if (!fine) {
      ok_ = false;
      return;
    }
    // Zero values select nothing (eksctl's IsZero): the selector is then ignored.
    if (vcpus.value_or(0) == 0 && !memory_mib && !gpus && !sel["cpuArchitecture"].present())
      return;
    const platform::Arch wanted = arch == "arm64" ? platform::Arch::kArm64 : platform::Arch::kAmd64;
    std::vector<std::string> types;
    for (const platform::InstanceType& t : platform::InstanceCatalog::builtin().types()) {
      if (t.arch != wanted) continue;
      if (vcpus.value_or(0) != 0 && t.vcpu != *vcpus) continue;
      if (memory_mib && t.memory_mib != *memory_mib) continue;
      if (gpus && t.gpus != *gpus) continue;
      types.push_back(t.name);
    }
    if (types.empty()) {
      fail(sel, fmt::format("{}: instance selector criteria matched no instances; consider "
                            "broadening your criteria so that more instance types are returned",
                            where));
      return;
    }
    if (types.size() > 40) {
      fail(sel, fmt::format("instance selector filters resulted in {} instance types, which is "
                            "greater than the maximum of 40, please set more selector options",
                            types.size()));
      return;
    }
    if (!g.instance_types.empty() && g.instance_types != types) {
      fail(sel, fmt::format("instance types matched by instance selector criteria do not match "
                            "{}.instanceTypes for nodegroup \"{}\"; either remove instanceSelector "
                            "or instanceTypes and retry the operation (it matches {})",
                            g.managed ? "managedNodeGroup" : "nodeGroup.instancesDistribution",
                            g.name, fmt::join(types, ", ")));
      return;
    }
    g.instance_types = types;
    g.instance_type = types.front();
    if (!g.managed && !g.distribution) g.distribution = eks::NodeGroupDistribution{};
  }

  // A byte quantity as the EC2 instance selector reads it (bytequantity): a number with up to
  // three decimals and an optional unit m, mb, mib, g, gb, gib, t, tb or tib (any case; GiB
  // when none), in MiB; MiB must be whole. None when it is not one.
  static std::optional<std::uint64_t> byte_quantity_mib(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::size_t i = 0;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == 0) return std::nullopt;
    std::uint64_t whole = 0;
    for (std::size_t k = 0; k < i; ++k) {
      if (whole > 1'000'000'000'000ull) return std::nullopt;
      whole = whole * 10 + static_cast<std::uint64_t>(text[k] - '0');
    }
    std::uint64_t thousandths = 0;
    if (i < text.size() && text[i] == '.') {
      ++i;
      std::size_t digits = 0;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && digits < 3) {
        thousandths = thousandths * 10 + static_cast<std::uint64_t>(text[i] - '0');
        ++i;
        ++digits;
      }
      for (; digits < 3; ++digits) thousandths *= 10;
    }
    if (i < text.size() && text[i] == ' ') ++i;
    const std::string unit = text.substr(i);
    std::uint64_t scale = 1024;  // GiB
    if (unit.empty() || unit == "g" || unit == "gb" || unit == "gib" || unit == "gi") scale = 1024;
    else if (unit == "m" || unit == "mb" || unit == "mib" || unit == "mi") scale = 1;
    else if (unit == "t" || unit == "tb" || unit == "tib" || unit == "ti") scale = 1024 * 1024;
    else return std::nullopt;
    if (scale == 1 && thousandths != 0) return std::nullopt;
    return whole * scale + thousandths * scale / 1000;
  }

  // instancesDistribution's split and Spot allocation, with eksctl's checks in its words
  // (validation.go, validateInstancesDistribution).
  void read_spot_share(const Reader& d, eks::NodeGroupConfig& g) {
    eks::NodeGroupDistribution dist;
    if (d["onDemandBaseCapacity"].present()) {
      if (const auto base = d["onDemandBaseCapacity"].integer(0, kMaxNodes))
        dist.on_demand_base = static_cast<std::uint32_t>(*base);
      else
        ok_ = false;
    }
    if (d["onDemandPercentageAboveBaseCapacity"].present()) {
      if (const auto above = d["onDemandPercentageAboveBaseCapacity"].integer(0, 100))
        dist.on_demand_percent = static_cast<std::uint32_t>(*above);
      else
        ok_ = false;
    }
    using platform::SpotAllocation;
    static constexpr std::array<std::pair<std::string_view, SpotAllocation>, 4> kStrategies{{
        {"lowest-price", SpotAllocation::kLowestPrice},
        {"capacity-optimized", SpotAllocation::kCapacityOptimized},
        {"capacity-optimized-prioritized", SpotAllocation::kCapacityOptimizedPrioritized},
        {"price-capacity-optimized", SpotAllocation::kPriceCapacityOptimized}}};
    const Reader strategy = d["spotAllocationStrategy"];
    std::string_view strategy_name = kStrategies[0].first;
    if (strategy.present()) {
      const auto name = strategy.string();
      const auto known = std::find_if(kStrategies.begin(), kStrategies.end(),
                                      [&](const auto& s) { return name && s.first == *name; });
      if (!name) {
        ok_ = false;
      } else if (known == kStrategies.end()) {
        std::vector<std::string_view> names;
        for (const auto& s : kStrategies) names.push_back(s.first);
        fail(strategy,
             fmt::format("spotAllocationStrategy should be one of: {}", fmt::join(names, ", ")));
      } else {
        strategy_name = known->first;
        dist.spot_allocation = known->second;
      }
    }
    const Reader pools = d["spotInstancePools"];
    if (pools.present()) {
      if (const auto n = pools.integer(1, 20)) {
        dist.spot_pools = static_cast<std::uint32_t>(*n);
        if (dist.spot_allocation == SpotAllocation::kCapacityOptimized ||
            dist.spot_allocation == SpotAllocation::kCapacityOptimizedPrioritized)
          fail(pools, fmt::format("spotInstancePools cannot be specified when also specifying "
                                  "spotAllocationStrategy: {}",
                                  strategy_name));
      } else {
        ok_ = false;
      }
    }
    g.spot = dist.on_demand_base == 0 && dist.on_demand_percent == 0;
    g.distribution = std::move(dist);
  }

  void read_sizes(const Reader& r, eks::NodeGroupConfig& g) {
    bool read = true;
    const auto size = [&](const char* key) {
      const auto v = r[key].integer(0, kMaxNodes);
      read = read && (v || !r[key].present());
      return v;
    };
    const auto desired = size("desiredCapacity");
    const auto min = size("minSize");
    const auto max = size("maxSize");
    if (!read) {
      ok_ = false;
      return;
    }
    // In eksctl's order: desired against min, then against max, then max against min.
    const std::int64_t lo = min.value_or(desired.value_or(kEksctlDefaultNodeCount));
    const std::int64_t hi = max.value_or(desired.value_or(lo));
    const std::int64_t want = desired.value_or(lo);
    const std::string expected = "(expected minSize <= desiredCapacity <= maxSize)";
    if (desired && want < lo)
      fail(r["desiredCapacity"],
           fmt::format("desiredCapacity {} is below minSize {} {}", want, lo, expected));
    else if (desired && want > hi)
      fail(r["desiredCapacity"],
           fmt::format("desiredCapacity {} is above maxSize {} {}", want, hi, expected));
    else if (hi < lo)
      fail(r["maxSize"], fmt::format("maxSize {} is below minSize {} {}", hi, lo, expected));
    g.min = static_cast<std::uint32_t>(lo);
    g.max = static_cast<std::uint32_t>(hi);
    g.desired = static_cast<std::uint32_t>(want);
  }

  void read_taints(const Reader& r, bool managed, eks::NodeGroupConfig& g) {
    if (!r.present()) return;
    if (r.is_map() && !managed) {
      // The map form of self-managed groups: `key: "value:Effect"`.
      for (const auto& [key, value] : r.entries()) {
        const auto text = value.string();
        const std::size_t colon = text ? text->rfind(':') : std::string::npos;
        if (colon == std::string::npos) {
          fail(value, fmt::format("'{}' is not value:Effect (expected e.g. \"true:NoSchedule\")",
                                  text.value_or("")));
          continue;
        }
        const std::string effect = text->substr(colon + 1);
        const auto known = taint_effect_named(effect);
        if (!known) {
          fail(value,
               fmt::format("'{}' is not one of NoSchedule, PreferNoSchedule, NoExecute", effect));
          continue;
        }
        add_taint(value, eks::Taint{key, text->substr(0, colon), *known}, g);
      }
      return;
    }
    for (const Reader& item : r.items(managed ? "a list of {key, value, effect}"
                                              : "a list of {key, value, effect} or a mapping of "
                                                "key to \"value:Effect\"")) {
      if (!item.expect_object("a taint {key, value, effect}")) {
        ok_ = false;
        continue;
      }
      const bool have = require_all({item["key"], item["effect"]});
      eks::Taint t;
      t.key = item["key"].string().value_or("");
      t.value = item["value"].string().value_or("");
      const auto effect = read_taint_effect(item["effect"]);
      if (!have || !effect) {
        ok_ = false;
        continue;
      }
      t.effect = *effect;
      add_taint(item, std::move(t), g);
    }
  }

  void add_taint(const Reader& at, eks::Taint t, eks::NodeGroupConfig& g) {
    const auto same = [&](const eks::Taint& x) { return x.key == t.key && x.effect == t.effect; };
    if (std::any_of(g.taints.begin(), g.taints.end(), same))
      fail(at, fmt::format("taint '{}' with effect {} is given twice", t.key,
                           taint_effect_name(t.effect)));
    else
      g.taints.push_back(std::move(t));
  }

  void read_update_config(const Reader& u, eks::NodeGroupConfig& g) {
    if (!u.present()) return;
    if (!u.expect_object("an update configuration")) {
      ok_ = false;
      return;
    }
    const Reader count = u["maxUnavailable"];
    const Reader share = u["maxUnavailablePercentage"];
    if (count.present() == share.present()) {
      fail(u, count.present()
                  ? "cannot use maxUnavailable and maxUnavailablePercentage at the same time"
                  : "invalid UpdateConfig: maxUnavailable or maxUnavailablePercentage must be "
                    "defined");
      return;
    }
    // EKS's NodegroupUpdateConfig: maxUnavailable 1 to 100, the percentage 1 to 100.
    const auto v = (count.present() ? count : share).integer(1, 100);
    if (!v) {
      ok_ = false;
      return;
    }
    g.max_unavailable = eks::IntOrPercent{*v, share.present()};
    if (count.present() && *v > g.max)
      fail(count, fmt::format("maxUnavailable={} cannot be greater than maxSize={}", *v, g.max));
  }

  Reader root_;
  const EksctlContext& context_;
  eks::ClusterConfig out_;
  std::set<std::string> names_;
  bool ok_ = true;
};

}  // namespace

std::optional<eks::ClusterConfig> read_eksctl(const Reader& root, const EksctlContext& context) {
  return EksctlFile(root, context).read();
}

std::optional<eks::ClusterConfig> read_eksctl_file(const std::string& path,
                                                   const EksctlContext& context,
                                                   Diagnostics& diagnostics,
                                                   const SourceLocation& referenced_from,
                                                   const std::string& field) {
  const auto doc = load_document(path, diagnostics, referenced_from, field);
  if (!doc) return std::nullopt;
  const std::size_t before = diagnostics.all().size();
  auto config = read_eksctl(Reader(*doc, diagnostics), context);
  if (diagnostics.all().size() != before) return std::nullopt;
  Reader(*doc, diagnostics).note_unread();
  return config;
}

}  // namespace ecsim::scenario::detail
