# golden_file(GOT EXPECTED SAVED): checks that GOT (text) equals the file EXPECTED; when not,
# writes GOT to SAVED for a diff and fails. With ECSIM_UPDATE_GOLDEN=1 (exactly), rewrites
# EXPECTED instead: a deliberate act, refused under CI (CI set) so that a regenerated golden
# can never bless a change unseen. Any other value of ECSIM_UPDATE_GOLDEN is an error.
function(golden_file got expected saved)
  if(DEFINED ENV{ECSIM_UPDATE_GOLDEN})
    if(NOT "$ENV{ECSIM_UPDATE_GOLDEN}" STREQUAL "1")
      message(FATAL_ERROR "ECSIM_UPDATE_GOLDEN is '$ENV{ECSIM_UPDATE_GOLDEN}': set it to 1 to "
                          "rewrite the golden files, or unset it to compare with them")
    endif()
    if(DEFINED ENV{CI})
      message(FATAL_ERROR "ECSIM_UPDATE_GOLDEN=1 under CI (CI is set): golden files are "
                          "rewritten by hand and reviewed, never by CI")
    endif()
    file(WRITE "${expected}" "${got}")
    message(STATUS "updated ${expected}")
    return()
  endif()
  if(NOT EXISTS "${expected}")
    message(FATAL_ERROR "no golden file ${expected} (run with ECSIM_UPDATE_GOLDEN=1 to create it)")
  endif()
  file(READ "${expected}" want)
  if(NOT got STREQUAL want)
    file(WRITE "${saved}" "${got}")
    message(FATAL_ERROR "output differs from ${expected}; see: diff ${expected} ${saved}")
  endif()
endfunction()
