// A class: shards are deterministic, disjoint and cover the class; merging refuses duplicate, missing
// and mismatched shards; the gradebook quotes what CSV needs quoted; and the parallel grader gives every
// student a row even when grading one of them throws or its worker is killed. No student code is built.

#define BOOST_TEST_MODULE class_grading
#include <boost/test/unit_test.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <set>

#include "workbook/grading/class_grade.hpp"
#include "workbook/grading/formats.hpp"
#include "workbook/grading/shards.hpp"

using namespace workbook;
using namespace workbook::grading;

namespace {

SubmissionGrade graded(const std::string& student, std::vector<std::pair<std::string, int>> scores) {
  SubmissionGrade g;
  g.student = student;
  for (const auto& [id, score] : scores) {
    ExerciseGrade e;
    e.id = id;
    e.outcome = score ? Outcome::pass : Outcome::fail;
    e.score = e.report.score = score;
    e.max_score = e.report.max_score = 2;
    g.score += score;
    g.max_score += 2;
    g.exercises.push_back(e);
  }
  return g;
}

StudentResult row(const std::string& student, int score) {
  return {student, graded(student, {{"ch10/10.2", score}, {"ch10/10.10", 1}}), ""};
}

std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> all;
  for (std::size_t i = 0; i < n; ++i) all.push_back("student" + std::to_string(100 + i));
  return all;
}

// The shard files of a class of `students`, as `workbook grade --class --shard i/n` writes them.
std::vector<std::pair<std::string, nlohmann::json>> shard_files(const std::vector<std::string>& students, int n) {
  std::vector<std::pair<std::string, nlohmann::json>> files;
  for (int i = 0; i < n; ++i) {
    std::vector<StudentResult> rows;
    for (const auto& s : shard_slice(students, {i, n})) rows.push_back(row(s, 2));
    files.emplace_back(shard_file_name({i, n}), shard_json(rows, {i, n}, students.size()));
  }
  return files;
}

template <class Body>
std::string merge_error(Body body) {
  try {
    body();
  } catch (const MergeError& error) {
    return error.what();
  }
  return "(no error)";
}

}  // namespace

BOOST_AUTO_TEST_CASE(shards_parse_as_i_of_n) {
  BOOST_TEST(parse_shard("0/1").index == 0);
  BOOST_TEST(parse_shard("3/4").index == 3);
  BOOST_TEST(parse_shard("3/4").count == 4);
  for (const char* bad : {"4/4", "-1/4", "1/0", "0/0", "a/b", "1/2/3", "1", "", " 1/2", "99999999999/2"})
    BOOST_CHECK_THROW(parse_shard(bad), std::invalid_argument);
  BOOST_TEST(shard_file_name({2, 8}) == "shard-2-of-8.json");
}

BOOST_AUTO_TEST_CASE(shards_are_deterministic_disjoint_and_covering) {
  const auto students = names(23);
  auto shuffled = students;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(5));
  for (int n = 1; n <= 7; ++n) {
    std::multiset<std::string> seen;
    for (int i = 0; i < n; ++i) {
      const auto slice = shard_slice(students, {i, n});
      BOOST_TEST(slice == shard_slice(shuffled, {i, n}));  // however the directory was listed
      for (std::size_t j = 0; j < slice.size(); ++j) BOOST_TEST(slice[j] == students[i + j * n]);  // k goes to k mod n
      seen.insert(slice.begin(), slice.end());
    }
    BOOST_TEST(seen.size() == students.size());  // no student twice...
    BOOST_TEST((std::set<std::string>(seen.begin(), seen.end()) == std::set<std::string>(students.begin(), students.end())));
  }
  BOOST_TEST(shard_slice(names(2), {4, 5}).empty());  // more shards than students: some are empty, none fail
}

BOOST_AUTO_TEST_CASE(merge_joins_every_shard_in_student_order) {
  const auto students = names(10);
  auto files = shard_files(students, 3);
  std::reverse(files.begin(), files.end());
  files[0].second["students"].push_back(to_json(StudentResult{"zed", std::nullopt, "grading failed: boom"}));
  files[0].second["class_size"] = 11;
  files[1].second["class_size"] = 11;
  files[2].second["class_size"] = 11;
  const auto rows = merge_shards(files);
  BOOST_TEST(rows.size() == 11u);
  for (std::size_t i = 0; i < 10; ++i) BOOST_TEST(rows[i].student == students[i]);
  BOOST_TEST(rows.back().student == "zed");
  BOOST_TEST(!rows.back().grade);
  BOOST_TEST(rows.back().error == "grading failed: boom");
  BOOST_TEST(rows.front().grade->score == 3);
}

BOOST_AUTO_TEST_CASE(merge_fails_clearly_on_duplicate_missing_and_mismatched_shards) {
  const auto students = names(10);
  const auto files = shard_files(students, 3);

  auto twice = files;
  twice.push_back({"copy-of-shard-1.json", files[1].second});
  BOOST_TEST(merge_error([&] { merge_shards(twice); }) ==
             "shard 1/3 is given twice: shard-1-of-3.json and copy-of-shard-1.json");

  auto missing = files;
  missing.erase(missing.begin() + 1);
  BOOST_TEST(merge_error([&] { merge_shards(missing); }) == "missing shards: shard-1-of-3.json");

  auto same_student = files;
  same_student[2].second["students"].push_back(files[0].second["students"][0]);
  same_student[2].second["class_size"] = 11;  // so that only the duplicate is wrong... in this file
  BOOST_TEST(merge_error([&] { merge_shards(same_student); }).find("was cut from a class of 11") != std::string::npos);
  for (auto& f : same_student) f.second["class_size"] = 11;
  BOOST_TEST(merge_error([&] { merge_shards(same_student); }) ==
             "student student100 is in both shard-0-of-3.json and shard-2-of-3.json");

  auto other_count = files;
  other_count.push_back({"shard-0-of-4.json", shard_files(students, 4)[0].second});
  BOOST_TEST(merge_error([&] { merge_shards(other_count); }).find("is shard 0 of 4 but shard-0-of-3.json is one of 3") !=
             std::string::npos);

  auto lost_student = files;
  lost_student[0].second["students"].erase(0);
  BOOST_TEST(merge_error([&] { merge_shards(lost_student); }) == "the shards hold 9 students but the class has 10");

  BOOST_TEST(merge_error([&] { merge_shards({{"notes.json", nlohmann::json{{"hello", 1}}}}); }).find("not a shard file") !=
             std::string::npos);
  BOOST_TEST(merge_error([&] { merge_shards({}); }) == "no shard files to merge");
}

BOOST_AUTO_TEST_CASE(gradebook_has_a_column_per_exercise_and_quotes_fields) {
  std::vector<StudentResult> rows = {row("ann", 2), {"bob, \"the\" builder", std::nullopt, "grading failed: x, y"},
                                     {"cy", graded("cy", {{"manual/1", 1}}), ""}};
  const auto csv = gradebook_csv(rows);
  BOOST_TEST(csv == "student,ch10/10.2,ch10/10.10,manual/1,total,error\r\n"  // registry order: 10.2 before 10.10
                    "ann,2,1,,3,\r\n"
                    "\"bob, \"\"the\"\" builder\",,,,,\"grading failed: x, y\"\r\n"
                    "cy,,,1,1,\r\n");
  BOOST_TEST(csv_field("plain") == "plain");
  BOOST_TEST(csv_field("two\nlines") == "\"two\nlines\"");
}

BOOST_AUTO_TEST_CASE(student_rows_read_back_from_json) {
  const auto error = student_result_from_json(to_json(StudentResult{"dee", std::nullopt, "grading failed: z"}));
  BOOST_TEST(error.student == "dee");
  BOOST_TEST(!error.grade);
  BOOST_TEST(error.error == "grading failed: z");
  const auto good = student_result_from_json(to_json(row("eve", 2)));
  BOOST_TEST(good.grade->score == 3);
  BOOST_TEST(good.error.empty());
}

BOOST_AUTO_TEST_CASE(one_students_disaster_costs_only_that_student) {
  const std::vector<std::string> students = {"ann", "bob", "cy", "dee", "eve"};
  std::vector<std::size_t> progress;
  std::set<std::string> finished;
  const auto rows = grade_students(
      students, 3,
      [](const std::string& student) -> SubmissionGrade {  // runs in a worker process
        if (student == "bob") throw std::runtime_error("bob's directory is a mess");
        if (student == "cy") kill(getpid(), SIGKILL);  // as if the worker ran out of memory
        return graded(student, {{"ch10/10.2", 2}});
      },
      [&](const StudentResult& r, std::size_t done, std::size_t total) {
        progress.push_back(done);
        finished.insert(r.student);
        BOOST_TEST(total == 5u);
      });
  BOOST_TEST((progress == std::vector<std::size_t>{1, 2, 3, 4, 5}));
  BOOST_TEST(finished.size() == 5u);
  BOOST_REQUIRE(rows.size() == 5u);
  for (std::size_t i = 0; i < 5; ++i) BOOST_TEST(rows[i].student == students[i]);
  BOOST_TEST(rows[0].grade->score == 2);
  BOOST_TEST(!rows[1].grade);
  BOOST_TEST(rows[1].error == "grading failed: bob's directory is a mess");
  BOOST_TEST(!rows[2].grade);
  BOOST_TEST(rows[2].error.find("SIGKILL") != std::string::npos);
  BOOST_TEST(rows[3].grade->score == 2);
  BOOST_TEST(rows[4].grade->score == 2);
}

BOOST_AUTO_TEST_CASE(students_are_the_visible_subdirectories_by_name) {
  const auto root = std::filesystem::temp_directory_path() / "workbook-test-class-list";
  std::filesystem::remove_all(root);
  for (const char* dir : {"zoe", "adam", ".git", "mia"}) std::filesystem::create_directories(root / dir);
  std::ofstream(root / "README.txt") << "not a student";
  BOOST_TEST((list_students(root) == std::vector<std::string>{"adam", "mia", "zoe"}));
  std::filesystem::remove_all(root);
}
