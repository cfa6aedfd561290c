@0xd2ed16d5c578a0c8;
# tandem's reciprocity report, as the local API returns it (see api.capnp's report request).
# Placeholder: the insight work fills this in.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("tandem::schema");

struct Report {
  generatedAt @0 :UInt64;
}
