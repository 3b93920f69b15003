#!/usr/bin/env python3
"""Derives the field tables ecsim checks real input files against from the API definitions
their projects publish, and writes them as models/scenario/src/api_schema_data.cpp.

    models/scenario/api/derive.py SCHEMAS_DIR            # rewrite the generated file
    models/scenario/api/derive.py SCHEMAS_DIR --check    # fail if it is not up to date

SCHEMAS_DIR holds unchanged copies of (see models/scenario/api/README.md for the versions):
  aws/ecs.service-2.json, aws/application-autoscaling.service-2.json,
  aws/elasticbeanstalk.service-2.json                                  botocore's API models
  eksctl/clusterconfig.schema.json                                     eksctl's ClusterConfig schema
  kubernetes/k8s.io_*.proto                                            the Kubernetes API types
  karpenter/*.yaml                              Karpenter's CustomResourceDefinitions (v1)

What is taken from each: every object type reachable from the roots below, with each field's
name (as it is written in JSON or YAML), its type and, where the definition says so, whether it
is required. Nothing else (documentation, enums, ranges) is copied.
"""

import glob
import json
import os
import re
import sys

# The request and response shapes of the AWS APIs whose JSON files ecsim reads.
AWS_ROOTS = {
    "ecs": [
        "RegisterTaskDefinitionRequest",    # aws ecs register-task-definition --cli-input-json
        "CreateServiceRequest",             # aws ecs create-service --cli-input-json
        "DescribeTaskDefinitionResponse",   # aws ecs describe-task-definition
        "DescribeServicesResponse",         # aws ecs describe-services
        "ContainerDefinition",              # an Elastic Beanstalk Dockerrun.aws.json's containers
        "Volume",                           # and its volumes
    ],
    "application-autoscaling": [
        "RegisterScalableTargetRequest",
        "PutScalingPolicyRequest",
        "PutScheduledActionRequest",
    ],
    "elasticbeanstalk": [
        "CreateEnvironmentMessage",         # aws elasticbeanstalk create-environment --cli-input-json
    ],
}

# Kubernetes packages and the apiVersion that serves them.
K8S_PACKAGES = {
    "k8s.io.api.core.v1": "v1",
    "k8s.io.api.apps.v1": "apps/v1",
    "k8s.io.api.batch.v1": "batch/v1",
    "k8s.io.api.policy.v1": "policy/v1",
    "k8s.io.api.scheduling.v1": "scheduling.k8s.io/v1",
    "k8s.io.api.autoscaling.v1": "autoscaling/v1",
    "k8s.io.api.autoscaling.v2": "autoscaling/v2",
}

# Messages whose JSON form is not an object of their fields (their Go types marshal themselves).
K8S_SPECIAL = {
    "k8s.io.apimachinery.pkg.api.resource.Quantity": "quantity",
    "k8s.io.apimachinery.pkg.util.intstr.IntOrString": "int_or_string",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Time": "timestamp",
    "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime": "timestamp",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Duration": "string",
    "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1": "any",
    "k8s.io.apimachinery.pkg.runtime.RawExtension": "any",
    "k8s.io.apimachinery.pkg.apis.meta.v1.Verbs": "list_of_string",
}

# Fields whose Go struct is embedded (`json:",inline"`): their fields sit in the enclosing object.
# The protos do not mark them; these are all of them in the packages above.
K8S_INLINE = {
    ("Volume", "volumeSource"),
    ("PersistentVolumeSpec", "persistentVolumeSource"),
    ("Probe", "handler"),
    ("EphemeralContainer", "ephemeralContainerCommon"),
    ("ConfigMapEnvSource", "localObjectReference"),
    ("ConfigMapKeySelector", "localObjectReference"),
    ("ConfigMapProjection", "localObjectReference"),
    ("ConfigMapVolumeSource", "localObjectReference"),
    ("SecretEnvSource", "localObjectReference"),
    ("SecretKeySelector", "localObjectReference"),
    ("SecretProjection", "localObjectReference"),
    ("Unknown", "typeMeta"),
}

PROTO_SCALARS = {
    "string": "string", "bytes": "string", "bool": "boolean", "int32": "integer",
    "int64": "integer", "uint32": "integer", "uint64": "integer", "double": "number",
    "float": "number",
}

PRIMITIVES = ["string", "integer", "number", "boolean", "timestamp", "quantity",
              "int_or_string", "any"]


class Table:
    """Types by index: primitives first, then lists, maps and objects as they are met."""

    def __init__(self):
        self.types = []          # dicts: kind, name, element, alternative, fields
        self.index = {}          # key -> type index
        for p in PRIMITIVES:
            self.add(("prim", p), {"kind": p, "name": p})

    def add(self, key, entry):
        self.index[key] = len(self.types)
        self.types.append(entry)
        return self.index[key]

    def container(self, kind, element, alternative=0):
        key = (kind, element, alternative)
        if key in self.index:
            return self.index[key]
        return self.add(key, {"kind": kind, "name": "", "element": element,
                              "alternative": alternative})

    def primitive(self, name):
        return self.index[("prim", name)]


def aws_types(table, path, service, roots):
    shapes = json.load(open(path))["shapes"]

    def type_of(name):
        key = ("aws", service, name)
        if key in table.index:
            return table.index[key]
        s = shapes[name]
        t = s["type"]
        if t in ("string", "blob"):
            return table.primitive("string")
        if t in ("integer", "long"):
            return table.primitive("integer")
        if t in ("double", "float"):
            return table.primitive("number")
        if t == "boolean":
            return table.primitive("boolean")
        if t == "timestamp":
            return table.primitive("timestamp")
        if t == "list":
            return table.container("list", type_of(s["member"]["shape"]))
        if t == "map":
            return table.container("map", type_of(s["value"]["shape"]))
        if t == "structure":
            if s.get("document"):
                return table.primitive("any")
            i = table.add(key, {"kind": "object", "name": f"{service}.{name}", "fields": []})
            required = set(s.get("required", []))
            fields = [(m, type_of(v["shape"]), m in required) for m, v in s["members"].items()]
            table.types[i]["fields"] = fields
            return i
        raise SystemExit(f"{path}: shape {name} has type {t}, which derive.py does not know")

    return {f"aws.{service}.{r}": type_of(r) for r in roots}


def eksctl_types(table, path):
    schema = json.load(open(path))
    definitions = schema["definitions"]

    def of(prop, where):
        if "$ref" in prop:
            return definition(prop["$ref"].split("/")[-1])
        t = prop.get("type")
        if t is None:
            return table.primitive("any")
        if t == "string":
            return table.primitive("string")
        if t == "integer":
            return table.primitive("integer")
        if t == "number":
            return table.primitive("number")
        if t == "boolean":
            return table.primitive("boolean")
        if t == "array":
            return table.container("list", of(prop.get("items", {}), where))
        if t == "object":
            if "properties" in prop:
                raise SystemExit(f"{path}: inline object at {where}")
            extra = prop.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return table.container("map", of(extra, where))
            return table.primitive("any")
        raise SystemExit(f"{path}: type {t} at {where}, which derive.py does not know")

    def definition(name):
        key = ("eksctl", name)
        if key in table.index:
            return table.index[key]
        d = definitions[name]
        if name == "taintsWrapper":
            # eksctl reads taints as a list of {key, value, effect} or as a map of key to
            # "value:effect" (its UnmarshalJSON).
            lst = of(d, name)
            return table.add(key, {"kind": "list_or_map", "name": "eksctl.taints",
                                   "element": lst,
                                   "alternative": table.container("map",
                                                                  table.primitive("string"))})
        if "properties" not in d:
            return of(d, name)
        i = table.add(key, {"kind": "object", "name": f"eksctl.{name}", "fields": []})
        required = set(d.get("required", []))
        fields = [(p, of(v, f"{name}.{p}"), p in required) for p, v in d["properties"].items()]
        # A type with variants (`oneOf`, e.g. IdentityProvider's `type: oidc`) is decoded by
        # eksctl's UnmarshalJSON into the variant its `type` names, from the same object: the
        # variants' fields are the object's too (none of them required, as each is only for
        # its variant).
        for variant in d.get("oneOf", []):
            if "$ref" not in variant:
                raise SystemExit(f"{path}: a variant of {name} without $ref")
            other = definitions[variant["$ref"].split("/")[-1]]
            for p, v in other.get("properties", {}).items():
                if all(p != f[0] for f in fields):
                    fields.append((p, of(v, f"{name}.{p}"), False))
        table.types[i]["fields"] = fields
        return i

    return {"eksctl.ClusterConfig": definition(schema["$ref"].split("/")[-1])}


# What `eksctl get nodegroup -o yaml` prints for each node group: eksctl's nodegroup.Summary
# (eksctl-io/eksctl pkg/actions/nodegroup/get.go, d4d0db8c3764), Go field names as its JSON keys.
# It is not in the ClusterConfig schema, so its fields are listed here.
EKSCTL_NODEGROUP_SUMMARY = [
    ("StackName", "string"), ("Cluster", "string"), ("Name", "string"), ("Status", "string"),
    ("MaxSize", "integer"), ("MinSize", "integer"), ("DesiredCapacity", "integer"),
    ("InstanceType", "string"), ("ImageID", "string"), ("CreationTime", "timestamp"),
    ("NodeInstanceRoleARN", "string"), ("AutoScalingGroupName", "string"), ("Version", "string"),
    ("Type", "string"),
]


def eksctl_summary(table):
    i = table.add(("eksctl", "nodegroup.Summary"),
                  {"kind": "object", "name": "eksctl.nodegroup.Summary",
                   "fields": [(n, table.primitive(t), False) for n, t in EKSCTL_NODEGROUP_SUMMARY]})
    return {"eksctl.NodeGroupSummary": i}


def parse_protos(directory):
    """Every message of every .proto: full name -> [(label, type, field name)], with type names
    made absolute."""
    messages = {}
    for path in sorted(glob.glob(os.path.join(directory, "*.proto"))):
        package = None
        stack = []
        text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
        for line in text.splitlines():
            line = line.split("//")[0].strip()
            if not line:
                continue
            m = re.match(r"package ([\w.]+);", line)
            if m:
                package = m.group(1)
                continue
            m = re.match(r"message (\w+) \{", line)
            if m:
                stack.append(m.group(1))
                messages[package + "." + ".".join(stack)] = []
                continue
            if line == "}":
                stack.pop()
                continue
            m = re.match(r"(optional|repeated) ([\w.]+) (\w+) = \d+;", line)
            if m:
                messages[package + "." + ".".join(stack)].append((m.group(1), m.group(2),
                                                                  m.group(3), package))
                continue
            m = re.match(r"map<(\w+), ?([\w.]+)> (\w+) = \d+;", line)
            if m:
                messages[package + "." + ".".join(stack)].append(("map", m.group(2),
                                                                  m.group(3), package))
                continue
            if re.match(r"(syntax|import|option|enum|reserved)\b", line):
                continue
            raise SystemExit(f"{path}: cannot read the line '{line}'")
    return messages


def k8s_types(table, directory):
    messages = parse_protos(directory)
    missing = set()

    def resolve(type_name, package):
        if type_name.startswith("."):
            return type_name[1:]
        if package + "." + type_name in messages:
            return package + "." + type_name
        return type_name

    def scalar_or_message(type_name, package):
        if type_name in PROTO_SCALARS:
            return table.primitive(PROTO_SCALARS[type_name])
        return message(resolve(type_name, package))

    def fields_of(full):
        out = []
        short = full.split(".")[-1]
        for label, type_name, name, package in messages[full]:
            if (short, name) in K8S_INLINE:
                out.extend(fields_of(resolve(type_name, package)))
                continue
            t = scalar_or_message(type_name, package)
            if label == "repeated":
                t = table.container("list", t)
            elif label == "map":
                t = table.container("map", t)
            out.append((name, t, False))
        return out

    def message(full):
        special = K8S_SPECIAL.get(full)
        if special == "list_of_string":
            return table.container("list", table.primitive("string"))
        if special:
            return table.primitive(special)
        key = ("k8s", full)
        if key in table.index:
            return table.index[key]
        if full not in messages:
            # A type of a package not among the copies (an alpha API a field refers to): any
            # value is accepted there.
            missing.add(full)
            return table.primitive("any")
        i = table.add(key, {"kind": "object", "name": full.replace("k8s.io.", ""), "fields": []})
        table.types[i]["fields"] = fields_of(full)
        return i

    roots = {}
    meta = "k8s.io.apimachinery.pkg.apis.meta.v1."
    for full, fields in messages.items():
        package, _, kind = full.rpartition(".")
        if package not in K8S_PACKAGES:
            continue
        top = [t for _, t, name, _ in fields if name == "metadata"]
        if not top or top[0].lstrip(".") not in (meta + "ObjectMeta", meta + "ListMeta"):
            continue
        # A top-level object also carries its TypeMeta: apiVersion and kind.
        key = ("k8s-kind", full)
        i = table.add(key, {"kind": "object", "name": full.replace("k8s.io.", ""), "fields": []})
        string = table.primitive("string")
        table.types[i]["fields"] = [("apiVersion", string, False), ("kind", string, False)] + \
            fields_of(full)
        roots[f"k8s.{K8S_PACKAGES[package]}.{kind}"] = i
    # The v1 List kubectl prints (`kubectl get ... -o yaml`): items are objects of any kind.
    i = table.add(("k8s-kind", "List"), {"kind": "object", "name": "v1.List", "fields": []})
    table.types[i]["fields"] = [("apiVersion", table.primitive("string"), False),
                                ("kind", table.primitive("string"), False),
                                ("metadata", message(meta + "ListMeta"), False),
                                ("items", table.container("list", table.primitive("any")), False)]
    roots["k8s.v1.List"] = i
    for full in sorted(missing):
        print(f"note: {full} is not among the protos; its values are not checked",
              file=sys.stderr)
    return roots


# Karpenter's CustomResourceDefinitions: the kinds they serve are read as the API server reads a
# custom resource, against the served version's openAPIV3Schema (an unknown field is an error
# under kubectl apply's strict validation, except inside x-kubernetes-preserve-unknown-fields).
CRD_FILES = ["karpenter.sh_nodepools.yaml", "karpenter.k8s.aws_ec2nodeclasses.yaml"]


def crd_types(table, directory):
    import yaml  # python3-yaml, only to regenerate the tables

    object_meta = table.index[("k8s", "k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta")]

    def of(schema, where):
        if schema.get("x-kubernetes-int-or-string"):
            return table.primitive("int_or_string")
        if schema.get("x-kubernetes-preserve-unknown-fields") and "properties" not in schema:
            return table.primitive("any")
        t = schema.get("type")
        if t == "string":
            return table.primitive("timestamp" if schema.get("format") == "date-time"
                                   else "string")
        if t in ("integer", "number", "boolean"):
            return table.primitive(t)
        if t == "array":
            return table.container("list", of(schema.get("items", {}), where + "[]"))
        if t == "object":
            if "properties" in schema:
                i = table.add(("crd", where), {"kind": "object", "name": where, "fields": []})
                required = set(schema.get("required", []))
                table.types[i]["fields"] = [(k, of(v, f"{where}.{k}"), k in required)
                                            for k, v in schema["properties"].items()]
                return i
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return table.container("map", of(extra, where + "{}"))
            return table.primitive("any")
        return table.primitive("any")

    roots = {}
    for name in CRD_FILES:
        crd = yaml.safe_load(open(os.path.join(directory, name)))
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            if not version.get("served"):
                continue
            api = f"{group}/{version['name']}"
            props = version["schema"]["openAPIV3Schema"]["properties"]
            key = ("k8s-kind", f"{api}.{kind}")
            i = table.add(key, {"kind": "object", "name": f"{api}.{kind}", "fields": []})
            string = table.primitive("string")
            table.types[i]["fields"] = [("apiVersion", string, False), ("kind", string, False),
                                        ("metadata", object_meta, False)] + [
                (k, of(v, f"{api}.{kind}.{k}"), False)
                for k, v in props.items() if k not in ("apiVersion", "kind", "metadata")]
            roots[f"k8s.{api}.{kind}"] = i
    return roots


def render(table, roots, sources):
    kinds = {"string": "kString", "integer": "kInteger", "number": "kNumber",
             "boolean": "kBoolean", "timestamp": "kTimestamp", "quantity": "kQuantity",
             "int_or_string": "kIntOrString", "any": "kAny", "list": "kList", "map": "kMap",
             "object": "kObject", "list_or_map": "kListOrMap"}
    out = ["// Generated by models/scenario/api/derive.py from the API definitions named below; do "
           "not edit.", "//"]
    out += [f"// {s}" for s in sources]
    out += ["", '#include "api_schema.hpp"', "", "namespace ecsim::scenario::detail {",
            "namespace {", "", "constexpr ApiField kFields[] = {"]
    first = []
    n = 0
    for t in table.types:
        first.append(n)
        for name, type_index, required in t.get("fields", []):
            out.append(f'    {{"{name}", {type_index}, {"true" if required else "false"}}},')
            n += 1
    out += ["};", "", "constexpr ApiType kTypes[] = {"]
    for i, t in enumerate(table.types):
        fields = t.get("fields", [])
        out.append(f'    {{ApiKind::{kinds[t["kind"]]}, {t.get("element", 0)}, '
                   f'{t.get("alternative", 0)}, {first[i] if fields else 0}, {len(fields)}, '
                   f'"{t["name"]}"}},')
    out += ["};", "", "constexpr ApiRoot kRoots[] = {"]
    for name in sorted(roots):
        out.append(f'    {{"{name}", {roots[name]}}},')
    out += ["};", "", "}  // namespace", "",
            "std::span<const ApiField> api_fields() { return kFields; }",
            "std::span<const ApiType> api_types() { return kTypes; }",
            "std::span<const ApiRoot> api_roots() { return kRoots; }", "",
            "}  // namespace ecsim::scenario::detail", ""]
    return "\n".join(out)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        raise SystemExit(__doc__)
    schemas = args[0]
    table = Table()
    roots = {}
    for service, names in AWS_ROOTS.items():
        roots.update(aws_types(table, os.path.join(schemas, "aws", f"{service}.service-2.json"),
                               service, names))
    roots.update(eksctl_types(table, os.path.join(schemas, "eksctl", "clusterconfig.schema.json")))
    roots.update(eksctl_summary(table))
    roots.update(k8s_types(table, os.path.join(schemas, "kubernetes")))
    roots.update(crd_types(table, os.path.join(schemas, "karpenter")))
    here = os.path.dirname(os.path.abspath(__file__))
    sources = [line.rstrip() for line in open(os.path.join(here, "SOURCES"))
               if line.strip() and not line.startswith("#")]
    text = render(table, roots, sources)
    target = os.path.join(here, "..", "src", "api_schema_data.cpp")
    if "--check" in sys.argv:
        current = open(target).read() if os.path.exists(target) else ""
        if current != text:
            raise SystemExit(f"{target} is not what derive.py makes of {schemas}: run it again")
        return
    with open(target, "w") as f:
        f.write(text)
    print(f"{target}: {len(table.types)} types, "
          f"{sum(len(t.get('fields', [])) for t in table.types)} fields, {len(roots)} roots")


if __name__ == "__main__":
    main()
