#include "allocation_counter.hpp"

#include <cstdlib>
#include <new>

// Replaces the global operator new and delete of the test executable to count allocations, so
// that a test can check that a loop allocates nothing. In a translation unit of their own, so
// the compiler never inlines them next to the standard library's calls (GCC would then flag
// malloc/free against new/delete as mismatched).

namespace {

std::size_t g_allocations = 0;

void* counted_malloc(std::size_t size) noexcept {
  ++g_allocations;
  return std::malloc(size == 0 ? 1 : size);
}

}  // namespace

namespace ecsim::workload::testing {
std::size_t allocation_count() noexcept {
  return g_allocations;
}
}  // namespace ecsim::workload::testing

// Every unaligned form is replaced, so that no allocation made by one of them (or by a
// sanitizer's own operator new) is ever released by another. The aligned forms stay the
// library's, in matching pairs.
void* operator new(std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc{};
}
void* operator new[](std::size_t size) {
  if (void* p = counted_malloc(size)) return p;
  throw std::bad_alloc{};
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted_malloc(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted_malloc(size);
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete[](void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
  std::free(p);
}
void operator delete(void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
void operator delete[](void* p, const std::nothrow_t&) noexcept {
  std::free(p);
}
