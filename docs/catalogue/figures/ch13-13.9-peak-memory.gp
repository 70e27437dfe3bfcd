# made by workbook; re-plot with: gnuplot -p <this file>
set title 'Peak memory of attention against sequence length' noenhanced
set xlabel 'n (tokens)' noenhanced
set ylabel 'peak bytes' noenhanced
set logscale x
set logscale y
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
128 65536
256 262144
512 1048576
1024 4194304
2048 16777216
EOD
$s1 << EOD
128 73728
256 278528
512 1081344
1024 4259840
2048 16908288
EOD
$s2 << EOD
128 8704
256 17408
512 34816
1024 69632
2048 139264
EOD
plot $s0 using 1:2 with lines lw 2 title '4 n^2 bytes (the score matrix alone)', \
    $s1 using 1:2 with points pt 7 ps 1.1 title 'naive (whole score matrix), measured', \
    $s2 using 1:2 with points pt 7 ps 1.1 title 'one row of scores at a time, measured'
