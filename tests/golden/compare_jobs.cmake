# Runs SCENARIO with 3 replications on 1 and on 3 threads: summary.json (timing zeroed) and
# timeseries.csv must be byte-identical.
foreach(jobs 1 3)
  file(REMOVE_RECURSE "${OUT}/${jobs}")
  execute_process(COMMAND "${ECSIM}" run "${SCENARIO}" --quiet --replications 3 --jobs ${jobs}
    --until 6h --out "${OUT}/${jobs}" RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ecsim --jobs ${jobs} exited ${rc}:\n${err}")
  endif()
  file(READ "${OUT}/${jobs}/summary.json" summary_${jobs})
  string(REGEX REPLACE "\"(wall_seconds|events_per_second)\": [^,\n]+" "\"\\1\": 0" summary_${jobs} "${summary_${jobs}}")
  file(READ "${OUT}/${jobs}/timeseries.csv" series_${jobs})
endforeach()
if(NOT summary_1 STREQUAL summary_3)
  message(FATAL_ERROR "summary.json differs between --jobs 1 and --jobs 3 in ${OUT}")
endif()
if(NOT series_1 STREQUAL series_3)
  message(FATAL_ERROR "timeseries.csv differs between --jobs 1 and --jobs 3 in ${OUT}")
endif()
