# made by workbook; re-plot with: gnuplot -p <this file>
set title 'What a d = 12 state can hold' noenhanced
set xlabel 'input length n (tokens of m = 3 numbers)' noenhanced
set ylabel 'rank of the map from the input' noenhanced
set grid
set key inside top left opaque box noenhanced
set style fill transparent solid 0.45 noborder
$s0 << EOD
1 3
2 6
3 9
4 12
5 12
6 12
7 12
8 12
9 12
10 12
EOD
$s1 << EOD
1 3
2 6
3 9
4 12
5 15
6 18
7 21
8 24
9 27
10 30
EOD
$s2 << EOD
1 12
2 12
3 12
4 12
5 12
6 12
7 12
8 12
9 12
10 12
EOD
plot $s0 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'last state (fixed size)', \
    $s1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 title 'all states (what attention reads)', \
    $s2 using 1:2 with lines lw 2 title 'state size d'
