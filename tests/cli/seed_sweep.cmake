# Runs SCENARIO for seeds 1 to 40, then once with --replications 8 at its own seed: every run
# must end with exit status 0, which means it passed every self-check (a failed one is exit 3).
file(REMOVE_RECURSE "${OUT}")
foreach(seed RANGE 1 40)
  execute_process(COMMAND "${ECSIM}" run "${SCENARIO}" --quiet --seed ${seed} --out "${OUT}"
    RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "ecsim run ${SCENARIO} --seed ${seed} exited ${rc}:\n${err}")
  endif()
endforeach()
execute_process(COMMAND "${ECSIM}" run "${SCENARIO}" --quiet --replications 8 --out "${OUT}"
  RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "ecsim run ${SCENARIO} --replications 8 exited ${rc}:\n${err}")
endif()
